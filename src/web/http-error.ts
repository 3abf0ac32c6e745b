/** An error the user can act on: its status and message are shown as they are. */
export class HttpError extends Error {
  /** A page that helps, shown as a link under the message (e.g. the task that holds a record). */
  link?: { href: string; label: string };

  constructor(
    readonly status: number,
    message: string,
    readonly title = defaultTitle(status),
  ) {
    super(message);
    this.name = "HttpError";
  }

  withLink(href: string, label: string): this {
    this.link = { href, label };
    return this;
  }
}

function defaultTitle(status: number): string {
  switch (status) {
    case 400: return "Bad request";
    case 401: return "Sign in required";
    case 403: return "Not allowed";
    case 404: return "Not found";
    case 409: return "Conflict";
    case 422: return "Check the form";
    default: return status >= 500 ? "Something went wrong" : "Request not accepted";
  }
}
