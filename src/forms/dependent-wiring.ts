import type { FormField } from "./types";

/** How a dependent select reloads its choices in one rendered form (read by form-field.njk). */
export interface DependentWiring {
  /** hx-trigger: a change of each parent input this form shows. */
  trigger?: string;
  /** hx-include: the select itself and the parent inputs. */
  include: string;
  /** The parent inputs this form shows (a selector list): a combobox sends their values with its search. */
  parents?: string;
  /** hx-vals (JSON): parents this form does not let the user change, with the record's values. */
  vals?: string;
}

/**
 * The htmx wiring of every dependent field among `fields` (the form's inputs). A parent shown in the
 * form reloads the choices when it changes; a parent that is not (disabled, or not a field of this
 * form, e.g. an inline row) is sent along with its `fixed` value, so choices and search agree with
 * what the server will check on save.
 */
export function dependentWiring(fields: FormField[], fixed: Record<string, string | string[]>, idPrefix = ""): Record<string, DependentWiring> {
  const id = (name: string) => `#${idPrefix}f-${name}`;
  const wiring: Record<string, DependentWiring> = {};
  for (const field of fields) {
    if (!field.dependent || field.disabled) continue;
    const shown = field.dependent.on.filter((parent) => fields.some((candidate) => candidate.name === parent.name && !candidate.disabled));
    const sent = field.dependent.on.filter((parent) => !shown.includes(parent) && fixed[parent.name] !== undefined);
    wiring[field.name] = {
      ...(shown.length ? { trigger: shown.map((parent) => `change from:${id(parent.name)}`).join(", ") } : {}),
      include: [id(field.name), ...shown.map((parent) => id(parent.name))].join(", "),
      ...(shown.length ? { parents: shown.map((parent) => id(parent.name)).join(", ") } : {}),
      ...(sent.length ? { vals: JSON.stringify(Object.fromEntries(sent.map((parent) => [parent.name, fixed[parent.name]]))) } : {}),
    };
  }
  return wiring;
}
