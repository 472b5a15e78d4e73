// A portfolio CSV, read as `advisor batch` reads one (dotted columns for nested fields, lists
// separated by ";", an empty cell for "not given", an optional id column), run as a job through
// POST /v1/jobs, followed with GET /v1/jobs/{id}, and its results downloaded.

import * as api from "./api.js";

const LISTS = new Set(["sectors", "revenue_streams"]);
const INTS = new Set(["population", "partners.countries", "partners.cities"]);
const BOOLS = new Set(["partners.industry", "partners.research", "preferences.keep_public_ownership"]);
const FLOATS = new Set(["fiscal.debt_to_revenue", "fiscal.ppp_payments_share", "preferences.max_private_share"]);
const FINISHED = new Set(["done", "failed", "cancelled"]);

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF; a leading BOM is dropped. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  const src = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else {
      cell += ch;
    }
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ""));
}

function cell(name, raw) {
  const value = raw.trim();
  if (LISTS.has(name)) return value.split(";").map((p) => p.trim()).filter(Boolean);
  if (BOOLS.has(name)) {
    const v = value.toLowerCase();
    if (["true", "1", "yes"].includes(v)) return true;
    if (["false", "0", "no"].includes(v)) return false;
    return value; // the service names the bad value
  }
  if (INTS.has(name) || FLOATS.has(name) || name.endsWith(".amount")) {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  return value;
}

/** The job's items: one object per data row, nested by the dotted column names. */
export function itemsFromCsv(text) {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const names = header.map((h) => h.trim());
  return rows.map((row) => {
    const item = {};
    names.forEach((name, i) => {
      const raw = row[i];
      if (!name || raw === undefined || raw.trim() === "") return;
      if (name === "id") {
        item.id = raw.trim();
        return;
      }
      const parts = name.split(".");
      const leaf = parts.pop();
      let node = item;
      for (const part of parts) node = node[part] ??= {};
      node[leaf] = cell(name, raw);
    });
    return item;
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run the items as a job; `onStatus` gets every status read. Returns the final status. */
export async function runJob(items, onStatus, { interval = 400 } = {}) {
  let status = await api.createJob(items);
  onStatus(status);
  while (!FINISHED.has(status.status)) {
    await sleep(interval);
    status = await api.job(status.id);
    onStatus(status);
  }
  return status;
}
