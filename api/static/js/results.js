// The answer: ranked option cards, what to check, the other eligible, why-not, funding mixes as
// stacked bars (inline SVG), business models, warnings, coverage and what the answer rests on.
// Also the side-by-side comparison of two variants.

import { apiKey, download, get, post } from "./api.js";
import { el, money, svg } from "./dom.js";
import { code, t } from "./i18n.js";

const URL_RE = /(https?:\/\/[^\s<>"]+)/g;
const SEED_RE = /(\d{3}_[0-9a-f]{16})\.txt\s+((?:§|Fig\.|Table|Annex)\s*[^\sL][^L]*?)?\s*L(\d+)(?:[-–](\d+))?/;

/** The name of an instrument or business model in the page's language. */
export function nameOf(lang, names, id, fallback) {
  const known = names[id];
  if (known) return lang === "zh" ? known.zh || known.en : known.en || fallback || id;
  return fallback || id;
}

/** A source as readable text: a legal or web reference as a link, a seed reference spelled out. */
export function source(lang, text) {
  if (!text) return null;
  const seed = text.match(SEED_RE);
  if (seed) {
    const where = (seed[2] || "").trim();
    const lines = seed[4] ? `${seed[3]}-${seed[4]}` : seed[3];
    const readable = `${t(lang, "seed")}${where ? ` ${where}` : ""}, ${t(lang, "line")} ${lines}`;
    const rest = text.replace(seed[0], "").trim();
    return el(
      "span",
      { class: "source seed", title: text },
      readable,
      rest ? [" ", linkify(rest)] : null,
    );
  }
  const labelled = text.match(/^(.*\S):\s*(https?:\/\/\S+)$/);
  if (labelled) {
    return el(
      "span",
      { class: "source" },
      el("a", { href: labelled[2], rel: "noopener noreferrer", target: "_blank" }, labelled[1]),
    );
  }
  return el("span", { class: "source" }, linkify(text));
}

function linkify(text) {
  return text.split(URL_RE).map((part, i) =>
    i % 2 ? el("a", { href: part, rel: "noopener noreferrer", target: "_blank" }, part) : part,
  );
}

function reasons(lang, list, key = "reasons", cls = "reasons") {
  if (!list || !list.length) return null;
  return el(
    "div",
    { class: cls },
    el("h4", {}, t(lang, key)),
    el(
      "ul",
      {},
      list.map((r) =>
        el("li", {}, el("span", { class: "reason-text" }, r.text), " ", source(lang, r.source)),
      ),
    ),
  );
}

function optionCard(lang, names, o) {
  return el(
    "article",
    { class: "card option", "data-instrument": o.instrument_id },
    el(
      "header",
      {},
      el("span", { class: "rank", title: t(lang, "rank") }, `#${o.rank}`),
      el("h3", {}, lang === "zh" ? o.name_zh || o.name : o.name),
      el("span", { class: `kind kind-${o.kind}` }, code(lang, o.kind)),
      el("span", { class: "jurisdiction" }, code(lang, o.jurisdiction)),
      el("span", { class: "score" }, `${t(lang, "score")} ${o.score}`),
    ),
    el(
      "p",
      { class: "facts" },
      o.max_amount ? el("strong", { class: "amount" }, `${t(lang, "upTo")} ${money(lang, o.max_amount)}`) : null,
      o.phase ? el("span", { class: "phase" }, `${t(lang, "phase")}: ${code(lang, o.phase)}`) : null,
      o.later ? el("span", { class: "badge" }, t(lang, "later")) : null,
      o.covers && o.covers.length
        ? el("span", {}, `${t(lang, "covers")}: ${o.covers.map((c) => code(lang, c)).join(", ")}`)
        : null,
      el("span", { class: "status" }, code(lang, o.status)),
    ),
    o.amount_basis
      ? el("p", { class: "basis" }, `${t(lang, "basis")}: ${o.amount_basis.text} `, source(lang, o.amount_basis.source))
      : null,
    reasons(lang, o.reasons),
    reasons(lang, o.cautions, "cautions", "cautions"),
  );
}

function toCheckCard(lang, c) {
  return el(
    "article",
    { class: "card to-check", "data-instrument": c.instrument_id },
    el(
      "header",
      {},
      el("h3", {}, lang === "zh" ? c.name_zh || c.name : c.name),
      el("span", { class: "kind" }, code(lang, c.kind)),
      c.max_amount ? el("strong", { class: "amount" }, `${t(lang, "upTo")} ${money(lang, c.max_amount)}`) : null,
    ),
    el("h4", {}, t(lang, "verify")),
    el("ul", {}, c.verify.map((v) => el("li", {}, v))),
    c.reasons && c.reasons.length
      ? el("details", {}, el("summary", {}, t(lang, "reasons")), reasons(lang, c.reasons))
      : null,
  );
}

// Why-nots arrive lean: each excluded instrument with its decisive reason (the first hard
// criterion it failed), the near-miss flag and what would make it qualify. Every criterion
// (?detail=full) is asked for only when a why-not is opened or the answer printed, and then
// once per answer: from the kept decision record, or (records off) by asking again.
const FULL = new WeakMap(); // an answer -> Promise of Map(instrument id -> every reason)
const FILLERS = new WeakMap(); // a why-not's <details> -> what fills in every criterion

function fullReasons(profile, advice) {
  let promise = FULL.get(advice);
  if (!promise) {
    const asked = advice.advice_id
      ? get(`/v1/advice/${encodeURIComponent(advice.advice_id)}?detail=full`)
      : post("/v1/match?detail=full", profile);
    promise = asked.then((full) => new Map(full.excluded.map((x) => [x.instrument_id, x.reasons])));
    promise.catch(() => FULL.delete(advice)); // a failed attempt is not kept: try again later
    FULL.set(advice, promise);
  }
  return promise;
}

/** Open every why-not under `root` with all its criteria (before printing). */
export async function openWhyNots(root) {
  const all = [...root.querySelectorAll(".excluded > details")];
  for (const details of all) details.open = true;
  await Promise.all(all.map((details) => (FILLERS.get(details) || (() => null))()));
}

function excludedItem(lang, names, x, every) {
  const list = el("div", { class: "why-not-reasons" }, reasons(lang, x.reasons));
  const details = el(
    "details",
    {},
    el(
      "summary",
      {},
      el("strong", {}, nameOf(lang, names.instruments, x.instrument_id, x.name)),
      x.near_miss ? el("span", { class: "badge" }, t(lang, "nearMiss")) : null,
      x.reasons[0] ? el("span", { class: "decisive" }, ` — ${x.reasons[0].text}`) : null,
    ),
    x.would_qualify_if
      ? el("p", { class: "would-qualify" }, el("strong", {}, `${t(lang, "wouldQualifyIf")}: `), x.would_qualify_if)
      : null,
    list,
  );
  let filling = null;
  const fill = () => {
    filling =
      filling ||
      every()
        .then((all) => {
          const found = all.get(x.instrument_id);
          if (found) list.replaceChildren(...[reasons(lang, found)].filter(Boolean));
          details.dataset.detail = "full";
        })
        .catch((error) => {
          filling = null;
          list.append(el("p", { class: "error" }, error.message));
        });
    return filling;
  };
  FILLERS.set(details, fill);
  details.addEventListener("toggle", () => details.open && fill());
  return el(
    "li",
    { class: x.near_miss ? "excluded near-miss" : "excluded", "data-instrument": x.instrument_id },
    details,
    x.successor
      ? el("p", { class: "successor" }, `${t(lang, "successor")}: ${nameOf(lang, names.instruments, x.successor)}`)
      : null,
    x.would_qualify_if
      ? el("p", { class: "would-qualify-short" }, `${t(lang, "wouldQualifyIf")}: ${x.would_qualify_if}`)
      : null,
  );
}

const PALETTE = ["#1f6f8b", "#e4a11b", "#6a994e", "#9c4f96", "#c8553d", "#3d5a80"];

/** A funding mix as a stacked bar: one segment per component, then the gap (hatched). */
export function mixBar(lang, names, mix) {
  const total = mix.funded.amount + mix.gap.amount || 1;
  const width = 600;
  let x = 0;
  const segments = mix.components.map((c, i) => {
    const w = (c.amount.amount / total) * width;
    const label = `${nameOf(lang, names.instruments, c.instrument_id)}: ${money(lang, c.amount)}`;
    const rect = svg(
      "rect",
      { x: x.toFixed(2), y: 0, width: Math.max(w, 0).toFixed(2), height: 28, fill: PALETTE[i % PALETTE.length] },
      svg("title", {}, label),
    );
    x += w;
    return rect;
  });
  if (mix.gap.amount > 0) {
    segments.push(
      svg(
        "rect",
        { x: x.toFixed(2), y: 0, width: (width - x).toFixed(2), height: 28, fill: "url(#gap-hatch)", class: "gap" },
        svg("title", {}, `${t(lang, "gap")}: ${money(lang, mix.gap)}`),
      ),
    );
  }
  const title = `${code(lang, mix.label)}: ${t(lang, "funded")} ${money(lang, mix.funded)}, ${t(lang, "gap")} ${money(lang, mix.gap)}`;
  return svg(
    "svg",
    { viewBox: `0 0 ${width} 28`, class: "mix-bar", role: "img", "aria-label": title, preserveAspectRatio: "none" },
    svg(
      "defs",
      {},
      svg(
        "pattern",
        { id: "gap-hatch", width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
        svg("rect", { width: 8, height: 8, fill: "#eee" }),
        svg("rect", { width: 3, height: 8, fill: "#b00" }),
      ),
    ),
    segments,
  );
}

function mixCard(lang, names, mix) {
  return el(
    "article",
    { class: "card mix", "data-mix": mix.id },
    el(
      "header",
      {},
      el("h3", {}, code(lang, mix.label)),
      el("span", {}, `${t(lang, "funded")} ${money(lang, mix.funded)}`),
      el("span", { class: mix.gap.amount > 0 ? "gap-amount open" : "gap-amount" }, `${t(lang, "gap")} ${money(lang, mix.gap)}`),
    ),
    mixBar(lang, names, mix),
    el(
      "ol",
      { class: "legend" },
      mix.components.map((c, i) =>
        el(
          "li",
          {},
          el("span", { class: `swatch swatch-${i % PALETTE.length}` }),
          `${nameOf(lang, names.instruments, c.instrument_id)} — ${money(lang, c.amount)} (${Math.round(c.share * 1000) / 10}%, ${code(lang, c.covers)})`,
        ),
      ),
      mix.gap.amount > 0
        ? el("li", {}, el("span", { class: "swatch gap" }), `${t(lang, "gap")} — ${money(lang, mix.gap)}`)
        : null,
    ),
    mix.notes.length
      ? el("div", { class: "notes" }, el("h4", {}, t(lang, "notes")), el("ul", {}, mix.notes.map((n) => el("li", {}, n))))
      : null,
  );
}

function modelCard(lang, names, m) {
  return el(
    "article",
    { class: "card model", "data-model": m.id },
    el(
      "header",
      {},
      el("h3", {}, nameOf(lang, names.models, m.id, m.name)),
      el("span", { class: "score" }, `${t(lang, "score")} ${m.score}`),
    ),
    reasons(lang, m.reasons),
    reasons(lang, m.cautions, "cautions", "cautions"),
  );
}

function coverage(lang, value) {
  if (value === undefined || value === null) return null;
  let body;
  if (Array.isArray(value)) {
    body = el("ul", {}, value.map((v) => el("li", {}, typeof v === "object" ? JSON.stringify(v) : String(v))));
  } else if (typeof value === "object") {
    body = el(
      "dl",
      {},
      Object.entries(value).map(([k, v]) => [
        el("dt", {}, code(lang, k)),
        el("dd", {}, Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v)),
      ]),
    );
  } else {
    body = el("p", {}, String(value));
  }
  return el("section", { class: "coverage" }, el("h3", {}, t(lang, "coverage")), body);
}

function restsOn(lang, advice, health) {
  // the catalogue revision reads "YYYY.MM+hash": its date part is the catalogue's date
  const date = (advice.catalogue_revision.match(/^(\d{4}\.\d{2}(?:\.\d{2})?)/) || [])[1] || "";
  return el(
    "p",
    { class: "rests-on" },
    t(lang, "restsOn", {
      rev: advice.catalogue_revision,
      date: date ? `${t(lang, "catalogueDate")} ${date}` : "",
      rules: advice.ruleset_version,
      asof: advice.as_of,
    }),
    health && health.instruments ? ` · ${health.instruments}` : null,
  );
}

function section(lang, key, cls, children, empty) {
  const items = children.filter(Boolean);
  if (!items.length && !empty) return null;
  return el(
    "section",
    { class: cls },
    el("h3", {}, t(lang, key)),
    items.length ? items : el("p", { class: "empty" }, empty),
  );
}

function recheckResult(lang, result) {
  if (!result.changed) return el("p", { class: "recheck-same" }, `${t(lang, "recheckSame")} (${result.note})`);
  return el(
    "div",
    { class: "recheck-changes" },
    el("p", {}, `${t(lang, "recheckChanged")} (${result.note})`),
    el(
      "ul",
      {},
      result.changes.map((c) =>
        el(
          "li",
          { "data-change": c.what },
          el("strong", {}, code(lang, c.what)),
          ` ${c.instrument_id || c.mix_id || ""}`,
          c.behind.length ? ` — ${c.behind.map((b) => b.text).join("; ")}` : "",
        ),
      ),
    ),
  );
}

// A report link: a plain link, unless an API key is set (the service then asks for it on
// stored decisions, and a link cannot send it): then fetched with the key and saved.
function reportLink(lang, id, format, cls, label) {
  const href = `/v1/advice/${id}/report.${format}?lang=${lang}`;
  const link = el("a", { href, class: cls }, label);
  link.addEventListener("click", async (event) => {
    if (!apiKey()) return;
    event.preventDefault();
    try {
      const url = URL.createObjectURL(await download(href));
      const save = el("a", { href: url, download: `advice-${id}-${lang}.${format}` });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      link.after(el("span", { class: "error" }, ` ${error.message}`));
    }
  });
  return link;
}

// the kept decision record: its reports and a recheck against today's catalogue and rules
function record(lang, advice) {
  if (!advice.advice_id) return null;
  const id = encodeURIComponent(advice.advice_id);
  const out = el("div", { class: "recheck-out", "aria-live": "polite" });
  const button = el("button", { type: "button", class: "recheck" }, t(lang, "recheck"));
  button.addEventListener("click", async () => {
    out.replaceChildren(el("p", {}, t(lang, "working")));
    try {
      out.replaceChildren(recheckResult(lang, await get(`/v1/advice/${id}/recheck`)));
    } catch (error) {
      out.replaceChildren(el("p", { class: "error" }, error.message));
    }
  });
  return el(
    "section",
    { class: "record" },
    el("h3", {}, t(lang, "record")),
    el(
      "p",
      {},
      `${t(lang, "recordId")} ${advice.advice_id} · `,
      reportLink(lang, id, "pdf", "report-pdf", t(lang, "reportPdf")),
      " · ",
      reportLink(lang, id, "xlsx", "report-xlsx", t(lang, "reportXlsx")),
      " · ",
      button,
    ),
    out,
  );
}

export function renderAdvice(lang, names, profile, advice) {
  return el(
    "div",
    { class: "advice" },
    el("h2", { id: "answer-title", tabindex: "-1" }, `${t(lang, "answerFor")} ${profile.name || ""}`),
    restsOn(lang, advice),
    record(lang, advice),
    advice.warnings.length
      ? el("section", { class: "warnings", role: "note" }, el("h3", {}, t(lang, "warnings")), el("ul", {}, advice.warnings.map((w) => el("li", {}, w))))
      : null,
    coverage(lang, advice.coverage),
    section(lang, "options", "options", advice.options.map((o) => optionCard(lang, names, o)), t(lang, "noOptions")),
    section(lang, "mixes", "mixes", advice.mixes.map((m) => mixCard(lang, names, m)), t(lang, "noMixes")),
    section(lang, "businessModels", "models", advice.business_models.map((m) => modelCard(lang, names, m))),
    section(lang, "toCheck", "to-check-list", (advice.to_check || []).map((c) => toCheckCard(lang, c))),
    (advice.also_eligible || []).length
      ? el(
          "section",
          { class: "also-eligible" },
          el("h3", {}, t(lang, "alsoEligible")),
          el(
            "ul",
            {},
            advice.also_eligible.map((a) =>
              el("li", { "data-instrument": a.instrument_id }, el("strong", {}, lang === "zh" ? a.name_zh || a.name : a.name), ` (${code(lang, a.kind)}, ${t(lang, "score")} ${a.score}) — ${a.why_lower}`),
            ),
          ),
        )
      : null,
    advice.excluded.length
      ? el(
          "section",
          { class: "excluded-list" },
          el("h3", {}, t(lang, "excluded")),
          el("ul", {}, advice.excluded.map((x) => excludedItem(lang, names, x, () => fullReasons(profile, advice)))),
        )
      : null,
    advice.fx && advice.fx.length
      ? el(
          "section",
          { class: "fx" },
          el("h3", {}, t(lang, "fx")),
          el("ul", {}, advice.fx.map((f) => el("li", {}, `1 EUR = ${f.per_eur} ${f.currency} (${f.date}) `, source(lang, f.source)))),
        )
      : null,
  );
}

// --- comparison ---------------------------------------------------------------------------

function summary(advice) {
  const options = new Map(advice.options.map((o) => [o.instrument_id, o]));
  const mixes = new Map(advice.mixes.map((m) => [m.id, m]));
  const models = new Map(advice.business_models.map((m) => [m.id, m]));
  return { options, mixes, models };
}

const sameMoney = (a, b) => (!a && !b) || (a && b && Math.abs(a.amount - b.amount) < 0.005 && a.currency === b.currency);

/** What differs between two answers, item by item: "a" (only in A), "b" (only in B), "changed". */
export function differences(a, b) {
  const A = summary(a);
  const B = summary(b);
  const out = { options: new Map(), mixes: new Map(), models: new Map() };
  for (const [kind, check] of [
    ["options", (x, y) => x.rank === y.rank && sameMoney(x.max_amount, y.max_amount)],
    ["mixes", (x, y) => sameMoney(x.funded, y.funded) && sameMoney(x.gap, y.gap) &&
      JSON.stringify(x.components.map((c) => [c.instrument_id, c.amount.amount])) ===
        JSON.stringify(y.components.map((c) => [c.instrument_id, c.amount.amount]))],
    ["models", (x, y) => x.score === y.score],
  ]) {
    for (const [id, x] of A[kind]) {
      const y = B[kind].get(id);
      if (!y) out[kind].set(id, "a");
      else if (!check(x, y)) out[kind].set(id, "changed");
    }
    for (const id of B[kind].keys()) if (!A[kind].has(id)) out[kind].set(id, "b");
  }
  return out;
}

function column(lang, names, label, profile, advice, diff, side) {
  const mark = (kind, id) => {
    const d = diff[kind].get(id);
    if (!d) return "";
    return d === "changed" ? "diff changed" : "diff only";
  };
  return el(
    "div",
    { class: "variant-column", "data-variant": side },
    el("h3", {}, `${label}: ${profile.as_of || ""} · ${money(lang, profile.capex)} · ${profile.country || ""}${profile.region_category ? ` · ${code(lang, profile.region_category)}` : ""}`),
    restsOn(lang, advice),
    el("h4", {}, t(lang, "options")),
    el(
      "ol",
      { class: "compare-options" },
      advice.options.map((o) =>
        el(
          "li",
          { class: mark("options", o.instrument_id), "data-instrument": o.instrument_id },
          `${lang === "zh" ? o.name_zh || o.name : o.name}${o.max_amount ? ` — ${t(lang, "upTo")} ${money(lang, o.max_amount)}` : ""}`,
        ),
      ),
    ),
    el("h4", {}, t(lang, "mixes")),
    advice.mixes.map((m) =>
      el(
        "div",
        { class: `compare-mix ${mark("mixes", m.id)}`, "data-mix": m.id },
        el("p", {}, `${code(lang, m.label)}: ${t(lang, "funded")} ${money(lang, m.funded)}, ${t(lang, "gap")} ${money(lang, m.gap)}`),
        mixBar(lang, names, m),
      ),
    ),
    el("h4", {}, t(lang, "businessModels")),
    el(
      "ol",
      {},
      advice.business_models.map((m) =>
        el("li", { class: mark("models", m.id), "data-model": m.id }, `${nameOf(lang, names.models, m.id, m.name)} (${m.score})`),
      ),
    ),
    advice.warnings.length ? [el("h4", {}, t(lang, "warnings")), el("ul", {}, advice.warnings.map((w) => el("li", {}, w)))] : null,
  );
}

export function renderCompare(lang, names, profiles, answers) {
  const [a, b] = answers;
  const diff = differences(a, b);
  const lines = [];
  const nameA = (id) => nameOf(lang, names.instruments, id, a.options.find((o) => o.instrument_id === id)?.name);
  const nameB = (id) => nameOf(lang, names.instruments, id, b.options.find((o) => o.instrument_id === id)?.name);
  for (const [id, d] of diff.options) {
    if (d === "a") lines.push(`${t(lang, "onlyIn", { v: "A" })}: ${nameA(id)}`);
    else if (d === "b") lines.push(`${t(lang, "onlyIn", { v: "B" })}: ${nameB(id)}`);
    else {
      const x = a.options.find((o) => o.instrument_id === id);
      const y = b.options.find((o) => o.instrument_id === id);
      lines.push(`${t(lang, "changed")}: ${nameA(id)} #${x.rank} ${money(lang, x.max_amount)} → #${y.rank} ${money(lang, y.max_amount)}`);
    }
  }
  for (const [id, d] of diff.mixes) {
    const mix = a.mixes.find((m) => m.id === id) || b.mixes.find((m) => m.id === id);
    const what = d === "changed" ? t(lang, "changed") : t(lang, "onlyIn", { v: d.toUpperCase() });
    lines.push(`${what}: ${t(lang, "mix")} ${code(lang, mix.label)}`);
  }
  for (const [id, d] of diff.models) lines.push(`${d === "changed" ? t(lang, "changed") : t(lang, "onlyIn", { v: d.toUpperCase() })}: ${nameOf(lang, names.models, id)}`);
  return el(
    "div",
    { class: "compare" },
    el("h2", { id: "answer-title", tabindex: "-1" }, `${t(lang, "compareTitle")}: ${profiles[0].name || ""}`),
    el(
      "section",
      { class: "differences" },
      lines.length ? el("ul", {}, lines.map((l) => el("li", {}, l))) : el("p", {}, t(lang, "same")),
    ),
    el(
      "div",
      { class: "side-by-side" },
      column(lang, names, "A", profiles[0], a, diff, "a"),
      column(lang, names, "B", profiles[1], b, diff, "b"),
    ),
  );
}
