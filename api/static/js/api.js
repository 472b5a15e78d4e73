// The page's only way to the service: the public v1 JSON API, as any other front end calls it.

const KEY = "advisor.apiKey";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "http_error";
    this.field = error.field || null;
    this.details = error.details || [];
  }
}

export function apiKey() {
  try {
    return sessionStorage.getItem(KEY) || "";
  } catch {
    return "";
  }
}

export function setApiKey(value) {
  try {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage may be disabled */
  }
}

function headers(extra = {}) {
  const out = { Accept: "application/json", ...extra };
  const key = apiKey();
  if (key) out.Authorization = `Bearer ${key}`;
  return out;
}

async function answer(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export async function get(path) {
  return answer(await fetch(path, { headers: headers() }));
}

export async function post(path, data) {
  const response = await fetch(path, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify(data),
  });
  return answer(response);
}

export async function download(path) {
  const response = await fetch(path, { headers: headers({ Accept: "*/*" }) });
  if (!response.ok) await answer(response);
  return response.blob();
}

export const vocabulary = () => get("/v1/vocabulary");
export const match = (profile) => post("/v1/match", profile);
export const instruments = () => get("/v1/instruments?limit=500");
export const businessModels = () => get("/v1/business-models");
export const createJob = (items) => post("/v1/jobs", { items });
export const job = (id) => get(`/v1/jobs/${encodeURIComponent(id)}`);
