// The officer's page: wires the form, the answer, the comparison, the shareable URL, the
// portfolio job and the language toggle. Everything goes through the public v1 JSON API.

import * as api from "./api.js";
import { el } from "./dom.js";
import {
  EXAMPLE,
  buildForm,
  clearErrors,
  fillProfile,
  readProfile,
  readVariant,
  showErrors,
  variantField,
} from "./form.js";
import { code, getLang, setLang, t } from "./i18n.js";
import { itemsFromCsv, runJob } from "./portfolio.js";
import { openWhyNots, renderAdvice, renderCompare } from "./results.js";

const state = {
  lang: getLang(),
  vocab: null,
  names: { instruments: {}, models: {} },
  last: null, // {profiles, answers}
  job: null, // {status, links}
};

const $ = (selector) => document.querySelector(selector);

// --- the profile in the URL -----------------------------------------------------------------

function writeUrl(profile, variant) {
  const params = new URLSearchParams();
  params.set("profile", JSON.stringify(profile));
  if (variant) params.set("variant", JSON.stringify(variant));
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

function readUrl() {
  const params = new URLSearchParams(location.search);
  try {
    const profile = params.get("profile") ? JSON.parse(params.get("profile")) : null;
    const variant = params.get("variant") ? JSON.parse(params.get("variant")) : null;
    return profile && typeof profile === "object" ? { profile, variant } : null;
  } catch {
    return null;
  }
}

// --- static text ----------------------------------------------------------------------------

function renderChrome() {
  const { lang } = state;
  setLang(lang);
  document.title = t(lang, "title");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(lang, node.dataset.t);
  const toggle = $("#lang");
  toggle.textContent = t(lang, "language");
  toggle.setAttribute("aria-label", t(lang, "languageLabel"));
  toggle.lang = lang === "zh" ? "en" : "zh-Hans";
}

function renderAnswer() {
  const out = $("#results");
  if (!state.last) {
    out.replaceChildren();
    out.hidden = true;
    $("#answer-tools").hidden = true;
    return;
  }
  const { profiles, answers } = state.last;
  out.replaceChildren(
    answers.length === 2
      ? renderCompare(state.lang, state.names, profiles, answers)
      : renderAdvice(state.lang, state.names, profiles[0], answers[0]),
  );
  out.hidden = false;
  $("#answer-tools").hidden = false;
}

function renderForm(profile, variant) {
  const form = $("#profile-form");
  buildForm(form, state.lang, state.vocab);
  fillProfile(form, profile || {}, variant);
  form.querySelector("#example").addEventListener("click", () => fillProfile(form, EXAMPLE, null));
}

// --- asking ---------------------------------------------------------------------------------

async function ask(profile, variant) {
  const form = $("#profile-form");
  const submit = form.querySelector("#submit");
  clearErrors(form);
  submit.disabled = true;
  submit.textContent = t(state.lang, "working");
  $("#results").setAttribute("aria-busy", "true");
  try {
    const profiles = variant ? [profile, variant] : [profile];
    const answers = [];
    for (const [i, p] of profiles.entries()) {
      try {
        answers.push(await api.match(p));
      } catch (error) {
        if (error instanceof api.ApiError && error.status === 422) {
          const first =
            i === 1
              ? showErrors(form, state.lang, error, "B: ", (f) => variantField(form, f))
              : showErrors(form, state.lang, error);
          (first || form.querySelector("#form-error")).focus();
          return;
        }
        throw error;
      }
    }
    state.last = { profiles, answers };
    writeUrl(profile, variant);
    renderAnswer();
    $("#answer-title").focus();
  } catch (error) {
    const summary = form.querySelector("#form-error");
    summary.textContent = `${t(state.lang, "failed")}: ${error.message}`;
    summary.hidden = false;
  } finally {
    submit.disabled = false;
    submit.textContent = t(state.lang, "submit");
    $("#results").removeAttribute("aria-busy");
  }
}

function onSubmit(event) {
  event.preventDefault();
  const form = $("#profile-form");
  const profile = readProfile(form);
  ask(profile, readVariant(form, profile));
}

// --- portfolio ------------------------------------------------------------------------------

function renderJob() {
  const box = $("#job");
  const { lang, job } = state;
  if (!job) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const s = job.status;
  const bar = $("#job-progress");
  bar.max = Math.max(s.total, 1);
  bar.value = s.done;
  $("#job-text").textContent = `${t(lang, "status")}: ${code(lang, s.status)} · ${t(lang, "rows", s)}`;
  const links = $("#job-links");
  links.replaceChildren(
    ...(job.files || []).map((f) =>
      el("a", { href: f.url, download: f.name, class: "button", id: `download-${f.format}` }, t(lang, f.format === "csv" ? "download" : "downloadJsonl")),
    ),
  );
}

async function onPortfolio(event) {
  event.preventDefault();
  const input = $("#csv-file");
  const message = $("#job-error");
  message.hidden = true;
  const file = input.files && input.files[0];
  if (!file) return;
  const items = itemsFromCsv(await file.text());
  if (!items.length) {
    message.textContent = t(state.lang, "csvEmpty");
    message.hidden = false;
    return;
  }
  const button = $("#run-portfolio");
  button.disabled = true;
  try {
    const final = await runJob(items, (status) => {
      state.job = { status, files: [] };
      renderJob();
    });
    const files = [];
    for (const format of ["csv", "jsonl"]) {
      const blob = await api.download(final.results[format]);
      files.push({ format, name: `portfolio-${final.id}.${format}`, url: URL.createObjectURL(blob) });
    }
    state.job = { status: final, files };
    renderJob();
    $("#download-csv").focus();
  } catch (error) {
    const detail = error.field ? `${error.field}: ${error.message}` : error.message;
    message.textContent = `${t(state.lang, "failed")}: ${detail}`;
    message.hidden = false;
  } finally {
    button.disabled = false;
  }
}

// --- start ----------------------------------------------------------------------------------

function toggleLanguage() {
  const form = $("#profile-form");
  const profile = readProfile(form);
  const variant = readVariant(form, profile);
  state.lang = state.lang === "en" ? "zh" : "en";
  renderChrome();
  renderForm(profile, variant);
  renderAnswer();
  renderJob();
}

async function copyLink() {
  try {
    await navigator.clipboard.writeText(location.href);
  } catch {
    /* no clipboard permission: the address bar holds the same link */
  }
  const note = $("#copied");
  note.textContent = t(state.lang, "copied");
  setTimeout(() => (note.textContent = ""), 3000);
}

async function start() {
  renderChrome();
  $("#lang").addEventListener("click", toggleLanguage);
  $("#profile-form").addEventListener("submit", onSubmit);
  $("#portfolio-form").addEventListener("submit", onPortfolio);
  $("#share").addEventListener("click", copyLink);
  // a printout shows every why-not in full: the Print button fetches every criterion first;
  // a print from the browser's menu shows what is there (at least each decisive reason)
  $("#print").addEventListener("click", async () => {
    await openWhyNots($("#results"));
    window.print();
  });
  window.addEventListener("beforeprint", () => {
    for (const d of document.querySelectorAll("#results details")) d.open = true;
  });
  const key = $("#api-key");
  key.value = api.apiKey();
  key.addEventListener("change", () => api.setApiKey(key.value.trim()));
  $("#connection-form").addEventListener("submit", (event) => {
    event.preventDefault();
    api.setApiKey(key.value.trim());
  });
  const [vocab, instruments, models] = await Promise.all([
    api.vocabulary(),
    api.instruments().catch(() => ({ data: [] })),
    api.businessModels().catch(() => ({ data: [] })),
  ]);
  state.vocab = vocab;
  for (const i of instruments.data) state.names.instruments[i.id] = { en: i.name_en, zh: i.name_zh };
  for (const m of models.data) state.names.models[m.id] = { en: m.name_en, zh: m.name_zh };
  const shared = readUrl();
  renderForm(shared ? shared.profile : null, shared ? shared.variant : null);
  document.body.dataset.ready = "true";
  if (shared) await ask(shared.profile, shared.variant);
}

start().catch((error) => {
  const summary = $("#startup-error");
  summary.textContent = `${t(state.lang, "failed")}: ${error.message}`;
  summary.hidden = false;
});
