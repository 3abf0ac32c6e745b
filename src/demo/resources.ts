import { z } from "zod";
import type { ResourceOptions } from "../config/resource-schema";

export const bookResource: ResourceOptions = {
  model: "Book",
  helpText: "The catalogue. Click a title to see everything about a book.",
  labels: { isbn: "ISBN", publishedDate: "Published", createdAt: "Added" },
  list: {
    fields: ["title", "author", "genres", "status", "price", "pages", "publishedDate", "bestseller", "isbn", "editor", "pricePerHundredPages"],
    defaultColumns: ["title", "author", "genres", "status", "price", "pages", "publishedDate", "bestseller"],
    defaultSort: [],
    filters: ["status", "author", "editor", "genres", "bestseller", "price", "pages", "publishedDate", "createdAt"],
    // The rest wait behind "Add filter".
    defaultFilters: ["status", "author", "genres", "price", "publishedDate"],
    search: ["title", "isbn", "author.name"],
    help: {
      status: "Draft: not in the shop yet. Published: on sale. Out of print: kept for the record.",
      price: "Retail price in euros, VAT included.",
      pricePerHundredPages: "Price divided by pages, times 100: compares books of different lengths.",
    },
  },
  // Quick edit in the list: these columns' cells become inputs (Enter saves, Escape cancels).
  inlineEdit: { fields: ["title", "author", "editor", "status", "price", "bestseller"] },
  properties: {
    pricePerHundredPages: {
      label: "Price per 100 pages",
      needs: ["price", "pages"],
      value: (book) => (book.pages > 0 ? (Number(book.price) / book.pages * 100).toFixed(2) : ""),
    },
  },
  bulkFields: ["bestseller", "status", "author", "editor", "genres", "price", "publishedDate"],
  // A bulk delete of books keeps the rows in its task's journal, so "Revert" can bring them back.
  bulk: { recoverableDelete: true },
  form: {
    context: ["createdAt", "updatedAt"],
    help: { isbn: "13 digits, unique across the catalogue.", price: "In euros, two decimal places." },
    // The column types allow more than a book can be; these checks apply to the form and bulk edit alike.
    validate: {
      isbn: z.string().regex(/^\d{13}$/, "Enter the 13 digits of the ISBN, without dashes or spaces."),
      pages: z.number().int().min(1, "A book has at least 1 page."),
      price: z.string().refine((price) => !price.startsWith("-"), "A price cannot be negative."),
    },
    // A book's editor is someone other than its author: choosing an author takes them off the
    // editor choices, in the forms, inline and in bulk edit (when the bulk edit sets the author too).
    dependentChoices: {
      editor: {
        on: ["author"],
        where: ({ values }) => (typeof values.authorId === "number" ? { id: { not: values.authorId } } : undefined),
        message: "The editor cannot be the book's author. Choose another editor.",
      },
    },
  },
};

export const authorResource: ResourceOptions = {
  model: "Author",
  helpText: "Everyone who writes or edits books in the catalogue.",
  list: { fields: ["name", "birthDate", "active"], filters: ["active", "birthDate"], search: ["name"] },
  rowActions: [{ label: "Books", href: "/books?author={id}" }],
  bulkFields: ["active"],
};

export const genreResource: ResourceOptions = {
  model: "Genre",
  list: { fields: ["name", "description"], search: ["name", "description"] },
};

export const navItems = [
  { href: "/books", label: "Books", description: "The catalogue: titles, prices, authors and genres." },
  { href: "/authors", label: "Authors", description: "Writers and editors." },
  { href: "/genres", label: "Genres", description: "The categories books belong to." },
  { href: "/tasks", label: "Tasks", description: "Background tasks: bulk edits and deletes, large exports and reverts, and their history." },
];
