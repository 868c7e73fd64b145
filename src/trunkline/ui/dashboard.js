// The live dashboard: loads the snapshot (GET /_trunkline/dashboard), follows the event stream
// (GET /_trunkline/events/stream) and re-reads the snapshot when something happened, shows the
// clock (GET /_trunkline/clock) and, under --timing manual, advances or settles it.
//
// Every request is same-origin. The only writes are the clock's POSTs, sent with
// Content-Type: application/json, as trunkline requires of browser writes to /_trunkline/.

import { esc, pageMarkup } from "/_trunkline/ui/render.js";

const $ = (id) => document.getElementById(id);
const REFRESH_DELAY_MS = 150; // events come in bursts: one re-read per burst
// ...and never more than a third of the time re-reading: a big world's snapshot costs the server.
const REFRESH_SHARE = 3;
const CLOCK_POLL_MS = 1000;
const IDLE_REFRESH_MS = 10000; // EC2-only changes emit no event: re-read now and then anyway
// The stream's events the page re-reads on: ECS's, and Auto Scaling's launches and terminations.
const LIVE_EVENTS = [
  "ECS Task State Change", "ECS Container Instance State Change", "ECS Service Action", "ECS Deployment State Change",
  "EC2 Instance Launch Successful", "EC2 Instance Launch Unsuccessful", "EC2 Instance Terminate Successful",
];

// Instance cards and task rows drawn per cluster at first; "Show more" adds as many again.
// (`?page=N` changes it, which the browser tests use.)
const PAGE = Math.max(1, Number(new URLSearchParams(location.search).get("page")) || 100);

const state = {
  eventSeq: null, stream: null, timer: null, loading: false, again: false, clock: null, first: true,
  snapshot: null, limits: new Map(), filterTimer: null, loadMs: 0,
};

const view = {
  page: PAGE,
  filter: "",
  limit: (cluster, section) => state.limits.get(`${cluster}\n${section}`) ?? PAGE,
};

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${path}: HTTP ${response.status}`);
  return body;
}

async function postJson(path, payload) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(payload),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${path}: HTTP ${response.status}`);
  return body;
}

// --- the snapshot ---------------------------------------------------------------------------------

function draw() {
  if (state.snapshot === null) return;
  const snapshot = state.snapshot;
  const closed = new Set([...document.querySelectorAll("details.reasons:not([open])")].map((d) => d.closest("article")?.dataset.instance));
  $("clusters").innerHTML = pageMarkup(snapshot, view);
  for (const details of document.querySelectorAll("details.reasons")) {
    if (closed.has(details.closest("article")?.dataset.instance)) details.open = false; // keep what the user closed
  }
  $("where").textContent = `account ${snapshot.accountId} · ${snapshot.region}`;
  $("updated").textContent = `state at ${snapshot.generatedAt} (trunkline's clock)`;
}

function showMore(button) {
  const key = `${button.dataset.more}\n${button.dataset.section}`;
  state.limits.set(key, (state.limits.get(key) ?? PAGE) + PAGE);
  draw();
}

function filterSoon() {
  clearTimeout(state.filterTimer);
  state.filterTimer = setTimeout(() => {
    view.filter = $("filter").value.trim().toLowerCase();
    draw();
  }, 100);
}

async function load() {
  if (state.loading) {
    state.again = true;
    return;
  }
  state.loading = true;
  const began = performance.now();
  try {
    const snapshot = await getJson("/_trunkline/dashboard");
    state.loadMs = performance.now() - began;
    if (state.first) performance.mark("trunkline:snapshot-parsed");
    state.snapshot = snapshot;
    draw();
    follow(snapshot.eventSeq);
    if (state.first) {
      state.first = false;
      performance.mark("trunkline:first-render");
      document.body.dataset.rendered = "true";
    }
  } catch (error) {
    $("updated").textContent = `cannot read the dashboard: ${error.message}`;
  } finally {
    state.loading = false;
    if (state.again) {
      state.again = false;
      refreshSoon();
    }
  }
}

function refreshSoon() {
  if (state.timer === null) {
    state.timer = setTimeout(() => {
      state.timer = null;
      load();
    }, Math.max(REFRESH_DELAY_MS, (REFRESH_SHARE - 1) * state.loadMs));
  }
}

// --- live: the event stream -----------------------------------------------------------------------

function setLive(mode, text) {
  $("live").dataset.state = mode;
  $("live").textContent = text;
}

function follow(seq) {
  // Open once; open again only when the outbox went backwards (the server was reset).
  if (state.stream !== null && seq >= state.eventSeq) return;
  if (state.stream !== null) state.stream.close();
  state.eventSeq = seq;
  const stream = new EventSource(`/_trunkline/events/stream?after=${encodeURIComponent(seq)}`);
  stream.onopen = () => setLive("live", "live");
  stream.onerror = () => setLive("down", "reconnecting…");
  stream.onmessage = onEvent;
  for (const type of LIVE_EVENTS) {
    stream.addEventListener(type, onEvent);
  }
  state.stream = stream;
}

function onEvent(message) {
  const seq = Number(message.lastEventId);
  if (Number.isFinite(seq) && seq > state.eventSeq) state.eventSeq = seq;
  refreshSoon();
}

// --- the clock ------------------------------------------------------------------------------------

function renderClock(clock) {
  const previous = state.clock;
  state.clock = clock;
  $("clock-timing").textContent = clock.timing;
  $("clock-now").textContent = clock.now;
  if (clock.nextDueAt) {
    const wait = (Date.parse(clock.nextDueAt) / 1000 - clock.epochSeconds).toFixed(1);
    $("clock-next").textContent = `${clock.nextDueAt} (in ${wait} s)`;
  } else {
    $("clock-next").textContent = "nothing scheduled";
  }
  $("clock-controls").hidden = clock.timing !== "manual";
  // A manual clock moved by someone else: what is shown may have moved with it.
  if (previous && clock.timing === "manual" && previous.epochSeconds !== clock.epochSeconds) refreshSoon();
}

async function readClock() {
  try {
    renderClock(await getJson("/_trunkline/clock"));
  } catch (error) {
    $("clock-message").textContent = `cannot read the clock: ${error.message}`;
  }
}

async function clockAction(path, payload) {
  const buttons = [$("advance"), $("settle")];
  buttons.forEach((b) => (b.disabled = true));
  try {
    const answer = await postJson(path, payload);
    $("clock-message").innerHTML = `ran ${esc(answer.jobsRun)} step(s)`;
    renderClock(answer);
    refreshSoon();
  } catch (error) {
    $("clock-message").textContent = error.message;
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

function start() {
  $("clock-controls").addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = Number($("advance-seconds").value);
    if (!Number.isFinite(seconds) || seconds < 0) {
      $("clock-message").textContent = "give a number of seconds >= 0";
      return;
    }
    clockAction("/_trunkline/clock/advance", { seconds });
  });
  $("settle").addEventListener("click", () => clockAction("/_trunkline/clock/settle", {}));
  $("filter").addEventListener("input", filterSoon);
  $("clusters").addEventListener("click", (event) => {
    const button = event.target.closest("button.more");
    if (button) showMore(button);
  });
  load();
  readClock();
  setInterval(readClock, CLOCK_POLL_MS);
  setInterval(() => {
    if (document.visibilityState === "visible") refreshSoon();
  }, IDLE_REFRESH_MS);
}

start();
