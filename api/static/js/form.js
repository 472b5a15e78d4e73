// The project form, generated from GET /v1/vocabulary: building it, reading a ProjectProfile
// from it, filling it from one, and showing the errors of a 422 on the fields they name.

import { el } from "./dom.js";
import { code, t } from "./i18n.js";

export const EXAMPLE = {
  name: "LED street lighting",
  country: "LT",
  city: "Vilnius",
  sector: "street_lighting",
  stage: "deployment",
  capex: { amount: 12000000, currency: "EUR" },
  revenue_streams: ["energy_savings"],
  applicant: "municipality",
  region_category: "less_developed",
  as_of: "2026-11-22",
};

const INTEGER = new Set(["population", "partners.countries", "partners.cities"]);
const NUMBER = new Set([
  "fiscal.debt_to_revenue",
  "fiscal.ppp_payments_share",
  "preferences.max_private_share",
]);
const MONEY = ["capex", "development_cost", "annual_revenue", "annual_savings"];

const slug = (path) => `f-${path.replaceAll(".", "-")}`;

function field(lang, path, control, label = t(lang, path)) {
  control.id = slug(path);
  control.name = path;
  return el(
    "div",
    { class: "field", "data-field": path },
    el("label", { for: control.id }, label),
    control,
  );
}

function text(lang, path, attrs = {}) {
  return field(lang, path, el("input", { type: "text", autocomplete: "off", ...attrs }));
}

function number(lang, path, attrs = {}) {
  return field(lang, path, el("input", { type: "number", step: "any", inputmode: "decimal", ...attrs }));
}

function select(lang, path, codes, { optional = false, label = t(lang, path), value } = {}) {
  const control = el(
    "select",
    {},
    optional ? el("option", { value: "" }, t(lang, "notGiven")) : null,
    codes.map((c) => el("option", { value: c, selected: c === value }, code(lang, c))),
  );
  return field(lang, path, control, label);
}

function checkbox(lang, path) {
  const control = el("input", { type: "checkbox", id: slug(path), name: path, value: "true" });
  return el(
    "div",
    { class: "field check", "data-field": path },
    control,
    el("label", { for: control.id }, t(lang, path)),
  );
}

function checkGroup(lang, path, codes) {
  return el(
    "fieldset",
    { class: "group", "data-field": path },
    el("legend", {}, t(lang, path)),
    codes.map((c) => {
      const id = `${slug(path)}-${c}`;
      return el(
        "span",
        { class: "check" },
        el("input", { type: "checkbox", id, name: path, value: c }),
        el("label", { for: id }, code(lang, c)),
      );
    }),
  );
}

function moneyField(lang, path, currencies) {
  const amount = el("input", {
    type: "number", step: "any", min: "0", inputmode: "decimal",
    id: slug(`${path}.amount`), name: `${path}.amount`,
  });
  const currency = el(
    "select",
    { id: slug(`${path}.currency`), name: `${path}.currency` },
    currencies.map((c) => el("option", { value: c }, c)),
  );
  return el(
    "fieldset",
    { class: "money", "data-field": path },
    el("legend", {}, t(lang, path)),
    el(
      "div",
      { class: "field", "data-field": `${path}.amount` },
      el("label", { for: amount.id }, `${t(lang, path)}: ${t(lang, "amount")}`),
      amount,
    ),
    el(
      "div",
      { class: "field", "data-field": `${path}.currency` },
      el("label", { for: currency.id }, `${t(lang, path)}: ${t(lang, "currency")}`),
      currency,
    ),
  );
}

function section(lang, key, ...children) {
  return el("details", { class: "optional", "data-section": key }, el("summary", {}, t(lang, key)), ...children);
}

export function buildForm(form, lang, vocab) {
  const v = (name) => vocab[name] || [];
  form.replaceChildren(
    el("p", { class: "form-error", id: "form-error", role: "alert", hidden: true }),
    el(
      "div",
      { class: "grid" },
      text(lang, "name", { required: true, maxlength: 200 }),
      text(lang, "country", { maxlength: 2, autocapitalize: "characters", size: 4 }),
      text(lang, "city", { maxlength: 200 }),
      number(lang, "population", { min: "1", step: "1" }),
      select(lang, "sector", v("sector"), { value: "energy_efficiency" }),
      select(lang, "stage", v("stage"), { value: "planning" }),
      select(lang, "applicant", v("applicant"), { value: "municipality" }),
      select(lang, "region_category", v("region_category"), { optional: true }),
      field(lang, "as_of", el("input", { type: "date" })),
    ),
    el("div", { class: "grid" }, moneyField(lang, "capex", v("currency"))),
    checkGroup(lang, "revenue_streams", v("revenue_stream")),
    section(
      lang,
      "more",
      el(
        "div",
        { class: "grid" },
        moneyField(lang, "development_cost", v("currency")),
        moneyField(lang, "annual_revenue", v("currency")),
        moneyField(lang, "annual_savings", v("currency")),
        select(lang, "region_category_2014_2020", v("region_category"), { optional: true }),
      ),
      checkGroup(lang, "sectors", v("sector")),
      el(
        "fieldset",
        { class: "grid", "data-field": "partners" },
        el("legend", {}, t(lang, "partners")),
        number(lang, "partners.countries", { min: "0", step: "1" }),
        number(lang, "partners.cities", { min: "0", step: "1" }),
        checkbox(lang, "partners.industry"),
        checkbox(lang, "partners.research"),
      ),
    ),
    section(
      lang,
      "maturity",
      el(
        "div",
        { class: "grid", "data-field": "city_maturity" },
        v("maturity_dimension").map((d) =>
          select(lang, `city_maturity.${d}`, v("maturity_level"), { optional: true, label: code(lang, d) }),
        ),
      ),
    ),
    section(
      lang,
      "fiscal",
      el(
        "div",
        { class: "grid" },
        text(lang, "fiscal.credit_rating", { maxlength: 8 }),
        number(lang, "fiscal.debt_to_revenue", { min: "0" }),
        number(lang, "fiscal.ppp_payments_share", { min: "0", max: "1" }),
      ),
    ),
    section(
      lang,
      "preferences",
      el(
        "div",
        { class: "grid" },
        checkbox(lang, "preferences.keep_public_ownership"),
        number(lang, "preferences.max_private_share", { min: "0", max: "1" }),
        select(lang, "preferences.risk_appetite", v("risk_appetite"), { optional: true }),
      ),
    ),
    el(
      "div",
      { class: "compare-toggle field check" },
      el("input", { type: "checkbox", id: "f-compare", name: "compare" }),
      el("label", { for: "f-compare" }, t(lang, "compare")),
    ),
    el(
      "fieldset",
      { class: "grid variant", id: "variant", hidden: true },
      el("legend", {}, t(lang, "variant")),
      field(lang, "variant.as_of", el("input", { type: "date" })),
      field(lang, "variant.capex", el("input", { type: "number", step: "any", min: "0" })),
      select(lang, "variant.region_category", v("region_category"), { optional: true }),
      field(lang, "variant.country", el("input", { type: "text", maxlength: 2, size: 4 })),
    ),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", id: "submit" }, t(lang, "submit")),
      el("button", { type: "button", id: "example" }, t(lang, "example")),
    ),
  );
  const compare = form.querySelector("#f-compare");
  compare.addEventListener("change", () => {
    form.querySelector("#variant").hidden = !compare.checked;
  });
}

function scalar(path, raw) {
  const value = raw.trim();
  if (INTEGER.has(path) || NUMBER.has(path) || path.endsWith(".amount")) {
    const n = Number(value);
    return value !== "" && Number.isFinite(n) ? n : value; // the service names a bad number
  }
  return value;
}

function put(target, path, value) {
  const parts = path.split(".");
  const leaf = parts.pop();
  let node = target;
  for (const part of parts) node = node[part] ??= {};
  node[leaf] = value;
}

function controls(form) {
  return [...form.querySelectorAll("input[name], select[name]")].filter(
    (c) => !c.name.startsWith("variant.") && c.name !== "compare",
  );
}

/** The ProjectProfile the form describes: only what was given. */
export function readProfile(form) {
  const profile = {};
  const lists = {};
  for (const c of controls(form)) {
    if (c.type === "checkbox") {
      if (c.value === "true") {
        if (c.checked) put(profile, c.name, true);
      } else if (c.checked) {
        (lists[c.name] ??= []).push(c.value);
      }
      continue;
    }
    if (c.name.endsWith(".currency")) continue; // with its amount, below
    if (c.value.trim() === "") continue;
    if (c.name.endsWith(".amount")) {
      const base = c.name.slice(0, -".amount".length);
      const currency = form.querySelector(`[name="${base}.currency"]`).value;
      put(profile, base, { amount: scalar(c.name, c.value), currency });
      continue;
    }
    put(profile, c.name, scalar(c.name, c.value));
  }
  Object.assign(profile, lists);
  return profile;
}

/** Where an error about variant B belongs: on B's own field where B overrides A's value. */
export function variantField(form, field) {
  const own = field.startsWith("capex") ? "variant.capex" : `variant.${field}`;
  const control = form.querySelector(`[name="${CSS.escape(own)}"]`);
  return control && control.value.trim() !== "" ? own : field;
}

/** The variant's overrides (blank fields keep A's value). */
export function readVariant(form, profile) {
  if (!form.querySelector("#f-compare").checked) return null;
  const b = structuredClone(profile);
  const value = (name) => form.querySelector(`[name="variant.${name}"]`).value.trim();
  if (value("as_of")) b.as_of = value("as_of");
  if (value("capex")) {
    b.capex = { ...(b.capex || { currency: "EUR" }), amount: scalar("capex.amount", value("capex")) };
  }
  if (value("region_category")) b.region_category = value("region_category");
  if (value("country")) b.country = value("country").toUpperCase();
  return b;
}

function flatten(value, prefix, out) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = value;
  }
  return out;
}

/** Fill the form from a profile (a shared link, an example, a language switch). */
export function fillProfile(form, profile, variant = null) {
  for (const c of controls(form)) {
    if (c.type === "checkbox") c.checked = false;
    else if (c.tagName === "SELECT") c.selectedIndex = 0;
    else c.value = "";
  }
  const defaults = { sector: "energy_efficiency", stage: "planning", applicant: "municipality" };
  const flat = flatten({ ...defaults, ...profile }, "", {});
  for (const [path, value] of Object.entries(flat)) {
    if (Array.isArray(value)) {
      for (const item of value) {
        const box = form.querySelector(`[name="${path}"][value="${CSS.escape(String(item))}"]`);
        if (box) box.checked = true;
      }
      continue;
    }
    const c = form.querySelector(`[name="${CSS.escape(path)}"]`);
    if (!c) continue;
    if (c.type === "checkbox") c.checked = value === true;
    else c.value = String(value);
  }
  const compare = form.querySelector("#f-compare");
  compare.checked = Boolean(variant);
  form.querySelector("#variant").hidden = !variant;
  for (const name of ["as_of", "capex", "region_category", "country"]) {
    form.querySelector(`[name="variant.${name}"]`).value = "";
  }
  if (variant) {
    if (variant.as_of !== profile.as_of) form.querySelector('[name="variant.as_of"]').value = variant.as_of || "";
    if (variant.capex?.amount !== profile.capex?.amount) form.querySelector('[name="variant.capex"]').value = variant.capex?.amount ?? "";
    if (variant.region_category !== profile.region_category) form.querySelector('[name="variant.region_category"]').value = variant.region_category || "";
    if (variant.country !== profile.country) form.querySelector('[name="variant.country"]').value = variant.country || "";
  }
  // open the optional sections that hold a value
  for (const details of form.querySelectorAll("details.optional")) {
    details.open = [...details.querySelectorAll("input, select")].some((c) =>
      c.type === "checkbox" ? c.checked : c.value !== "" && !c.name.endsWith(".currency"),
    );
  }
}

export function clearErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const node of form.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
    node.removeAttribute("aria-describedby");
  }
  const summary = form.querySelector("#form-error");
  summary.hidden = true;
  summary.textContent = "";
}

function holder(form, path) {
  const parts = (path || "").split(".");
  while (parts.length) {
    const found = form.querySelector(`[data-field="${CSS.escape(parts.join("."))}"]`);
    if (found) return found;
    parts.pop();
  }
  return null;
}

/** Place each error of a 422 on the field it names; the rest go in the summary. Returns the
 * first invalid control, to move the focus there. */
export function showErrors(form, lang, error, prefix = "", rename = (field) => field) {
  const details = (error.details.length ? error.details : [{ field: error.field, message: error.message }])
    .map((d) => ({ ...d, field: d.field && rename(d.field) }));
  const summary = form.querySelector("#form-error");
  const loose = [];
  let first = null;
  details.forEach((detail, i) => {
    const place = holder(form, detail.field);
    if (!place) {
      loose.push(detail.field ? `${detail.field}: ${detail.message}` : detail.message);
      return;
    }
    const id = `err-${i}-${slug(detail.field || "form")}`;
    const note = el("p", { class: "field-error", id }, `${prefix}${detail.message}`);
    place.append(note);
    for (const c of place.querySelectorAll("input, select")) {
      c.setAttribute("aria-invalid", "true");
      c.setAttribute("aria-describedby", id);
    }
    const details = place.closest("details");
    if (details) details.open = true;
    first ??= place.querySelector("input, select");
  });
  summary.textContent = [t(lang, "errorsBelow"), ...loose].join(" ");
  summary.hidden = false;
  return first;
}
