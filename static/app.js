// The normtrack dashboard page: read-only, talks only to this server's JSON API with a
// person's token (sign in) or a dashboard token (pasted, or in the URL fragment #token=...,
// which never reaches the server). No libraries: the charts are plain SVG.
"use strict";

// The statuses a matrix cell can show, in the legend's order.
const STATUSES = ["in_force", "ratified", "in_progress", "not_ratified", "denounced", "unknown"];

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ languages
// English, French and Spanish. The labels come from the server's message catalogue
// (/assets/i18n/{lang}.json, the files the API takes its problem titles from); the API answers
// names and titles in the same language (Accept-Language). The choice: ?lang= in the address,
// else the one remembered, else the browser's first offered language, else English.
const LANGUAGES = ["en", "fr", "es"];
let LANG = "en";
let MESSAGES = {};

function chooseLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  const remembered = localStorage.getItem("normtrack-lang");
  const browser = (navigator.languages || [navigator.language || ""]).map((l) => l.slice(0, 2).toLowerCase());
  for (const candidate of [asked, remembered, ...browser]) {
    const code = (candidate || "").slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(code)) return code;
  }
  return "en";
}

// A label with its {placeholders} filled in; the key itself if the catalogue lacks it.
function t(key, values = {}) {
  const text = MESSAGES[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

async function loadLanguage() {
  LANG = chooseLanguage();
  if (new URLSearchParams(location.search).get("lang")) localStorage.setItem("normtrack-lang", LANG);
  const select = $("language");
  select.value = LANG;
  select.onchange = () => {
    localStorage.setItem("normtrack-lang", select.value);
    const params = new URLSearchParams(location.search);
    params.delete("lang");
    const query = params.toString();
    location.replace(location.pathname + (query ? "?" + query : "") + location.hash);
  };
  const catalogue = async (code) => {
    const response = await fetch("/assets/i18n/" + code + ".json").catch(() => null);
    return response && response.ok ? response.json().catch(() => null) : null;
  };
  let messages = await catalogue(LANG);
  if (!messages && LANG !== "en") {
    // Without its catalogue the page falls back to English, and asks the API for English too.
    LANG = "en";
    select.value = LANG;
    messages = await catalogue(LANG);
  }
  if (!messages) return; // the page's own English labels stay
  MESSAGES = messages;
  document.documentElement.lang = LANG;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", t(node.dataset.i18nAria));
}
const SVG = "http://www.w3.org/2000/svg";

function token() {
  return sessionStorage.getItem("normtrack-token");
}

async function api(path) {
  // Without a token (the public read), no Authorization header at all.
  const headers = { "Accept-Language": LANG };
  if (token()) headers.Authorization = "Bearer " + token();
  const response = await fetch(path, { headers });
  if (response.status === 401 && token()) {
    signOut(t("page.session_ended"));
    throw new Error("unauthorized");
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    const error = new Error(problem.detail || response.statusText);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function cellClass(cell) {
  if (!cell.status) return "unknown";
  if (cell.status === "ratified" && cell.in_force === true) return "in_force";
  return cell.status;
}

function renderLegend() {
  const legend = $("legend");
  legend.replaceChildren();
  for (const key of STATUSES) {
    const item = el("span");
    item.append(el("span", { class: "swatch s-" + key, "aria-hidden": "true" }), document.createTextNode(t("status." + key)));
    legend.append(item);
  }
}

function renderMatrix(matrix) {
  const table = el("table", { class: "matrix", "data-testid": "matrix-table" });
  table.append(el("caption", { class: "note" }, t("matrix.caption", { as_of: matrix.as_of, n: matrix.countries.length })));
  const head = el("tr");
  head.append(el("th", { scope: "col" }, t("matrix.country")));
  for (const code of matrix.conventions) head.append(el("th", { scope: "col" }, code));
  const thead = el("thead");
  thead.append(head);
  table.append(thead);
  const body = el("tbody");
  for (const row of matrix.countries) {
    const tr = el("tr");
    tr.append(el("th", { scope: "row", class: "country" }, row.name + " (" + row.country + ")"));
    row.cells.forEach((cell, i) => {
      const kind = cellClass(cell);
      const label = row.name + ", " + matrix.conventions[i] + ": " + t("status." + kind);
      tr.append(el("td", { class: "cell s-" + kind, title: label, "aria-label": label }));
    });
    body.append(tr);
  }
  table.append(body);
  $("matrix").replaceChildren(table);
}

function renderCounts(summary) {
  const items = summary.instruments;
  const width = 1100, rowHeight = 22, left = 60, top = 24;
  const height = top + items.length * rowHeight + 10;
  const max = summary.member_states || 1;
  const chart = svg("svg", { width, height, role: "img", "aria-label": t("counts.aria", { max }), id: "counts-svg" });
  chart.append(svg("text", { x: left, y: 14 }, t("counts.heading", { max })));
  const scale = (n) => (n / max) * (width - left - 330);
  items.forEach((item, i) => {
    const y = top + i * rowHeight;
    chart.append(svg("text", { x: 0, y: y + 14 }, item.convention));
    chart.append(svg("rect", { class: "bar-ratified", x: left, y, width: scale(item.ratified), height: rowHeight - 6 }));
    chart.append(svg("rect", { class: "bar-in-force", x: left, y: y + 4, width: scale(item.in_force), height: rowHeight - 14 }));
    const notes = [];
    if (item.in_force_unknown) notes.push(t("counts.in_force_unknown", { n: item.in_force_unknown }));
    if (item.unknown) notes.push(t("counts.without_record", { n: item.unknown }));
    chart.append(svg("text", { x: left + scale(item.ratified) + 4, y: y + 14 }, item.ratified + " / " + item.in_force + (notes.length ? " (" + notes.join("; ") + ")" : "")));
    chart.append(svg("text", { x: width - 4, y: y + 14, "text-anchor": "end", class: "coverage", "data-convention": item.convention }, coverageText(item.convention, item.coverage)));
  });
  $("counts-chart").replaceChildren(chart);
  const all = summary.all_fundamental;
  const values = { as_of: summary.as_of, n: all.countries, m: all.conventions.length, k: all.countries_unknown };
  $("counts-note").textContent = t(all.countries_unknown ? "counts.note_missing" : "counts.note", values);
}

// "C087: 4 of 187 known, sources 2011 to 2022-10": how much of a count is known, and how old.
function coverageText(label, coverage) {
  const text = t("coverage.known", { label, known: coverage.known, of: coverage.of });
  if (!coverage.oldest_source_date) return text;
  return coverage.oldest_source_date === coverage.newest_source_date
    ? t("coverage.source", { text, date: coverage.oldest_source_date })
    : t("coverage.sources", { text, from: coverage.oldest_source_date, to: coverage.newest_source_date });
}

// A source date's first and last day, for comparing dates of different precision.
const periodStart = (d) => d.length === 4 ? d + "-01-01" : d.length === 7 ? d + "-01" : d;
const periodEnd = (d) => d.length === 4 ? d + "-12-31" : d.length === 7 ? d + "-31" : d;

function renderCoverageLegend(summary) {
  const total = { known: 0, of: 0, oldest_source_date: null, newest_source_date: null };
  for (const item of summary.instruments) {
    const c = item.coverage;
    total.known += c.known;
    total.of += c.of;
    if (c.oldest_source_date && (!total.oldest_source_date || periodStart(c.oldest_source_date) < periodStart(total.oldest_source_date))) total.oldest_source_date = c.oldest_source_date;
    if (c.newest_source_date && (!total.newest_source_date || periodEnd(c.newest_source_date) > periodEnd(total.newest_source_date))) total.newest_source_date = c.newest_source_date;
  }
  const legend = $("legend");
  legend.append(el("span", { id: "coverage-note" }, coverageText(t("coverage.pairs"), total)));
}

function renderTimeline(timeline, code) {
  const instrument = timeline.instruments.find((i) => i.convention === code) || timeline.instruments[0];
  const chartBox = $("timeline-chart");
  if (!instrument || instrument.years.length === 0) {
    chartBox.replaceChildren(el("p", { class: "note" }, t("timeline.none")));
    return;
  }
  const width = 760, height = 260, left = 44, bottom = 30, top = 14, right = 16;
  const years = instrument.years;
  const first = years[0].year, last = Math.max(years[years.length - 1].year, first + 1);
  const max = years[years.length - 1].cumulative || 1;
  const x = (year) => left + ((year - first) / (last - first)) * (width - left - right);
  const y = (n) => height - bottom - (n / max) * (height - bottom - top);
  const chart = svg("svg", { width, height, role: "img", id: "timeline-svg", "aria-label": t("timeline.aria", { code: instrument.convention }) });
  chart.append(svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width - right, y2: height - bottom }));
  chart.append(svg("line", { class: "axis", x1: left, y1: top, x2: left, y2: height - bottom }));
  chart.append(svg("text", { x: left, y: height - 8 }, String(first)));
  chart.append(svg("text", { x: width - right - 30, y: height - 8 }, String(last)));
  chart.append(svg("text", { x: 2, y: top + 8 }, String(max)));
  chart.append(svg("text", { x: 2, y: height - bottom }, "0"));
  let points = "";
  let previous = 0;
  for (const point of years) {
    points += x(point.year) + "," + y(previous) + " " + x(point.year) + "," + y(point.cumulative) + " ";
    previous = point.cumulative;
  }
  chart.append(svg("polyline", { class: "line", points: points.trim() }));
  chartBox.replaceChildren(chart);
  if (instrument.undated) {
    chartBox.append(el("p", { class: "note" }, t("timeline.undated", { n: instrument.undated, code: instrument.convention })));
  }
}

async function renderDeadlines() {
  const box = $("deadlines");
  try {
    const page = await api("/api/v1/deadlines?per_page=10");
    if (page.items.length === 0) {
      box.replaceChildren(el("p", { class: "note" }, t("deadlines.none")));
      return;
    }
    const table = el("table", { class: "deadlines" });
    const head = el("tr");
    for (const h of ["due", "country", "what", "status"]) head.append(el("th", { scope: "col" }, t("deadlines." + h)));
    table.append(head);
    for (const d of page.items) {
      const tr = el("tr");
      tr.append(el("td", {}, d.due_on), el("td", {}, d.country_name + " (" + d.country + ")"), el("td", {}, d.title));
      tr.append(el("td", { class: d.overdue ? "overdue" : "" }, d.overdue ? t("deadlines.overdue", { status: d.status }) : d.status));
      table.append(tr);
    }
    box.replaceChildren(table);
  } catch (error) {
    const text = error.status === 403 || error.status === 401
      ? t("deadlines.signed_in_only")
      : t("deadlines.failed", { error: error.message });
    box.replaceChildren(el("p", { class: "note" }, text));
  }
}

async function renderProgrammes() {
  const box = $("programmes");
  try {
    const page = await api("/api/v1/programmes?per_page=100");
    if (page.items.length === 0) {
      box.replaceChildren(el("p", { class: "note" }, t("programmes.none")));
      return;
    }
    const list = el("ul", { class: "programmes" });
    for (const p of page.items) {
      const item = el("li");
      item.append(
        el("a", { href: "/programmes/" + p.id + "/progress", class: "programme" }, p.name),
        document.createTextNode(t("programmes.period", { from: p.starts_on, to: p.ends_on, countries: p.countries.join(", ") })),
      );
      list.append(item);
    }
    box.replaceChildren(list);
  } catch (error) {
    const text = error.status === 403 || error.status === 401
      ? t("programmes.signed_in_only")
      : t("programmes.failed", { error: error.message });
    box.replaceChildren(el("p", { class: "note" }, text));
  }
}


// Options a link may carry in its fragment: #arrangement=...&country=...&as_of=...
const tradeOptions = {};

function renderCompliance(table) {
  const box = $("compliance");
  const grid = el("table", { class: "compliance", "data-testid": "compliance-table" });
  const totals = table.totals;
  const caption = t("trade.caption", { name: table.name, as_of: table.as_of, n: table.members.length, met: totals.met, unmet: totals.unmet, unknown: totals.unknown });
  grid.append(el("caption", { class: "note" }, table.membership_unknown.length ? t("trade.caption_membership_unknown", { caption, n: table.membership_unknown.length }) : caption));
  const head = el("tr");
  head.append(el("th", { scope: "col" }, t("trade.member")));
  for (const i of table.instruments) head.append(el("th", { scope: "col", title: i.named_as + " — " + i.commitment_type }, i.convention || i.named_as.slice(0, 12)));
  head.append(el("th", { scope: "col" }, t("trade.totals")));
  grid.append(head);
  for (const row of table.members) {
    const line = el("tr");
    const name = row.country_name + " (" + row.country + ")";
    line.append(el("th", { scope: "row" }, row.membership === "partly_withdrawn" ? t("trade.partly_withdrawn", { name }) : name));
    for (const cell of row.cells) {
      if (!cell) {
        line.append(el("td", {}, "—"));
        continue;
      }
      const label = row.country + ", " + (cell.convention || "") + ": " + t("trade." + cell.compliance) + " (" + (cell.status || t("trade.no_record")) + ")";
      line.append(el("td", { class: "cc j-" + cell.compliance, title: label, "aria-label": label }, t("trade." + cell.compliance)));
    }
    line.append(el("td", {}, row.totals.met + " / " + row.totals.unmet + " / " + row.totals.unknown));
    grid.append(line);
  }
  box.replaceChildren(grid);
}

function renderCommitments(view) {
  const box = $("commitments");
  const totals = { country: view.country_name, as_of: view.as_of, met: view.totals.met, unmet: view.totals.unmet, unknown: view.totals.unknown };
  const parts = [el("p", { class: "note" }, t("trade.country_totals", totals))];
  for (const a of view.arrangements) {
    const heading = a.name + " — " + a.membership.replace("_", " ");
    parts.push(el("h4", {}, a.since ? t("trade.since", { text: heading, date: a.since }) : heading));
    const table = el("table", { class: "commitments" });
    const head = el("tr");
    for (const h of ["instrument", "commitment", "standing", "source", "judgement"]) head.append(el("th", { scope: "col" }, t("trade." + h)));
    table.append(head);
    for (const c of a.commitments) {
      const line = el("tr");
      let standing = t("trade.no_record");
      if (c.standing.status) {
        standing = c.standing.in_force === true ? t("trade.in_force", { status: c.standing.status }) : c.standing.status;
        if (c.standing.stage) standing += " (" + c.standing.stage + ")";
      }
      line.append(el("td", { title: c.named_as }, c.convention || c.named_as), el("td", {}, c.commitment_type.replaceAll("_", " ")), el("td", {}, standing), el("td", {}, c.standing.source_date || ""));
      line.append(el("td", { class: "cm j-" + c.compliance }, t("trade." + c.compliance)));
      table.append(line);
    }
    parts.push(table);
  }
  if (view.arrangements.length === 0) parts.push(el("p", { class: "note" }, t("trade.no_arrangement")));
  if (view.membership_unknown.length) parts.push(el("p", { class: "note" }, t("trade.membership_unknown", { names: view.membership_unknown.map((a) => a.name).join("; ") })));
  if (view.comments.length) {
    parts.push(el("h4", {}, t("trade.comments")));
    const list = el("ul");
    for (const c of view.comments) list.append(el("li", {}, c.year + " " + c.body.toUpperCase() + " " + c.kind.replace("_", " ") + " on " + c.conventions.join(", ") + ": " + c.headings));
    parts.push(list);
  }
  box.replaceChildren(...parts);
}

async function renderTrade() {
  const arrangementSelect = $("trade-arrangement");
  const asOf = $("trade-as-of");
  const countrySelect = $("trade-country");
  const page = await api("/api/v1/trade-arrangements?per_page=100");
  arrangementSelect.replaceChildren(...page.items.map((a) => el("option", { value: a.slug }, a.name)));
  arrangementSelect.value = tradeOptions.arrangement || "eu-gsp-plus-978-2012";
  asOf.value = tradeOptions.as_of || new Date().toISOString().slice(0, 10);
  const showCountry = async () => {
    if (!countrySelect.value) {
      $("commitments").replaceChildren(el("p", { class: "note" }, t("trade.no_member")));
      return;
    }
    renderCommitments(await api("/api/v1/countries/" + countrySelect.value + "/commitments?as_of=" + asOf.value));
  };
  const showArrangement = async () => {
    const table = await api("/api/v1/trade-arrangements/" + arrangementSelect.value + "/compliance?as_of=" + asOf.value);
    renderCompliance(table);
    const wanted = tradeOptions.country || countrySelect.value;
    countrySelect.replaceChildren(...table.members.map((m) => el("option", { value: m.country }, m.country_name)));
    if (table.members.some((m) => m.country === wanted)) countrySelect.value = wanted;
    await showCountry();
  };
  arrangementSelect.onchange = showArrangement;
  asOf.onchange = showArrangement;
  countrySelect.onchange = showCountry;
  await showArrangement();
}

async function showBoard() {
  const signedIn = Boolean(token());
  // The public read: the board without signing in, the sign-in form still offered.
  $("sign-in").hidden = signedIn;
  $("sign-out").hidden = !signedIn;
  const progress = location.pathname.match(PROGRESS_PATH);
  if (!progress) $("board").hidden = false;
  renderLegend();
  const who = $("who");
  who.hidden = false;
  if (signedIn) {
    try {
      const me = await api("/api/v1/auth/me");
      who.textContent = me.user ? t("page.signed_in", { name: me.user.display_name, role: me.role }) : t("page.dashboard_token", { name: me.token_name });
    } catch (error) {
      return;
    }
  } else {
    who.textContent = t("page.public");
  }
  if (progress) return showProgress(progress[1]);
  const [summary, matrix, timeline] = await Promise.all([
    api("/api/v1/dashboard/summary?category=fundamental"),
    api("/api/v1/dashboard/matrix?category=fundamental"),
    api("/api/v1/dashboard/timeline?category=fundamental"),
  ]);
  renderCounts(summary);
  renderMatrix(matrix);
  renderCoverageLegend(summary);
  const select = $("timeline-instrument");
  select.replaceChildren(...timeline.instruments.map((i) => el("option", { value: i.convention }, i.convention)));
  select.onchange = () => renderTimeline(timeline, select.value);
  renderTimeline(timeline, select.value);
  await renderDeadlines();
  await renderProgrammes();
  try {
    await renderTrade();
  } catch (error) {
    $("compliance").replaceChildren(el("p", { class: "note" }, t("trade.failed", { error: error.message })));
  }
  document.body.setAttribute("data-ready", "true");
}

// ------------------------------------------------------------------ programme progress
// /programmes/{id}/progress: the four-area report of a programme, per country, for the
// steering committee; printing the page gives its document.

const PROGRESS_PATH = /^\/programmes\/(\d+)\/progress\/?$/;

// The four areas and their figures; labels are "area.<area>" and "area.<area>.<figure>".
const AREAS = [
  ["ratifications", ["registered", "in_progress"]],
  ["reforms", ["gaps_opened", "gaps_closed", "milestones_completed", "milestones_overdue"]],
  ["responsible_business_conduct", ["initiatives_active", "activities_completed", "activities_overdue"]],
  ["reporting", ["requests_due", "submitted_on_time", "submitted_late", "not_submitted", "overdue"]],
];

async function showList(list) {
  const panel = $("progress-list");
  panel.replaceChildren(el("p", { class: "note" }, t("progress.loading", { list })));
  try {
    const page = await api(list + (list.includes("?") ? "&" : "?") + "per_page=100");
    panel.replaceChildren(
      el("h3", {}, list),
      el("p", { class: "note" }, page.total > page.items.length ? t("progress.first_shown", { n: page.total, shown: page.items.length }) : t("progress.in_all", { n: page.total })),
      el("pre", {}, JSON.stringify(page.items, null, 1)),
    );
  } catch (error) {
    panel.replaceChildren(el("p", { class: "error" }, t("progress.list_failed", { list, error: error.message })));
  }
}

function figureLink(country, key, figure) {
  const a = el("a", { href: figure.list, title: figure.list, class: "figure", "data-country": country, "data-figure": key }, String(figure.count));
  a.addEventListener("click", (event) => {
    event.preventDefault();
    showList(figure.list);
  });
  return a;
}

function areaChart(countries, area, figures) {
  const barHeight = 10;
  const groupHeight = figures.length * barHeight + 12;
  const left = 130;
  const width = 560;
  const max = Math.max(1, ...countries.flatMap((c) => figures.map((key) => c[area][key].count)));
  const chart = svg("svg", {
    width, height: countries.length * groupHeight + 8, role: "img", class: "area-chart",
    "aria-label": t("progress.figures_aria"), "data-area": area,
  });
  countries.forEach((c, i) => {
    const y0 = i * groupHeight + 4;
    chart.append(svg("text", { x: 0, y: y0 + groupHeight / 2 }, c.name + " (" + c.country + ")"));
    figures.forEach((key, j) => {
      const value = c[area][key].count;
      const w = Math.round((value / max) * (width - left - 40));
      const y = y0 + j * barHeight;
      chart.append(svg("rect", { x: left, y, width: Math.max(w, 1), height: barHeight - 2, class: "f" + j }));
      chart.append(svg("text", { x: left + Math.max(w, 1) + 4, y: y + barHeight - 2 }, String(value)));
    });
  });
  return chart;
}

function renderProgress(report) {
  $("progress-title").textContent = t("progress.heading", { name: report.name });
  $("progress-period").textContent = t("progress.period", { from: report.from, to: report.to, as_of: report.as_of, n: report.countries.length });
  $("progress-from").value = report.from;
  $("progress-to").value = report.to;
  const areas = $("progress-areas");
  areas.replaceChildren();
  for (const [area, figures] of AREAS) {
    const section = el("section", { class: "area", "data-area": area });
    section.append(el("h3", {}, t("area." + area)));
    const legend = el("div", { class: "chart-legend" });
    figures.forEach((key, j) => {
      const item = el("span");
      item.append(el("span", { class: "swatch f" + j }), document.createTextNode(" " + t("area." + area + "." + key)));
      legend.append(item);
    });
    section.append(legend, areaChart(report.countries, area, figures));
    const table = el("table", { class: "progress" });
    const head = el("tr");
    head.append(el("th", {}, t("progress.country")));
    for (const key of figures) head.append(el("th", {}, t("area." + area + "." + key)));
    if (area === "reporting") head.append(el("th", {}, t("progress.serious_failure")));
    table.append(head);
    for (const c of report.countries) {
      const row = el("tr");
      row.append(el("td", {}, c.name + " (" + c.country + ")"));
      for (const key of figures) {
        const cell = el("td");
        cell.append(figureLink(c.country, area + "." + key, c[area][key]));
        if (area === "ratifications" && key === "in_progress") {
          const stages = el("span", { class: "stages" });
          for (const s of c.ratifications.in_progress_by_stage) {
            stages.append(document.createTextNode(s.stage.replaceAll("_", " ") + ": "));
            stages.append(figureLink(c.country, "ratifications.stage." + s.stage, s));
            stages.append(document.createTextNode(" "));
          }
          cell.append(stages);
        }
        row.append(cell);
      }
      if (area === "reporting") {
        const years = c.reporting.serious_failure_years;
        row.append(el("td", { "data-country": c.country, "data-figure": "reporting.serious_failure_years" },
          years.length ? years[0] + "–" + years[years.length - 1] : t("progress.none")));
      }
      table.append(row);
    }
    section.append(table);
    areas.append(section);
  }
}

async function showProgress(id) {
  $("board").hidden = true;
  $("progress").hidden = false;
  const params = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const key of ["from", "to"]) if (params.get(key)) query.set(key, params.get(key));
  const suffix = query.toString() ? "?" + query.toString() : "";
  $("progress-csv").href = "/api/v1/programmes/" + id + "/progress.csv" + suffix;
  $("progress-csv").onclick = async (event) => {
    event.preventDefault();
    const response = await fetch($("progress-csv").href, { headers: { Authorization: "Bearer " + token(), "Accept-Language": LANG } });
    if (response.status === 401) return signOut(t("page.session_ended"));
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      $("progress-list").replaceChildren(el("p", { class: "error" }, t("progress.csv_failed", { error: problem.detail || response.statusText })));
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    el("a", { href: url, download: "progress-" + id + ".csv" }).click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  $("progress-form").onsubmit = (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if ($("progress-from").value) next.set("from", $("progress-from").value);
    if ($("progress-to").value) next.set("to", $("progress-to").value);
    location.search = next.toString();
  };
  try {
    renderProgress(await api("/api/v1/programmes/" + id + "/progress" + suffix));
  } catch (error) {
    $("progress-areas").replaceChildren(el("p", { class: "error" }, t("progress.failed", { error: error.message })));
  }
  document.body.setAttribute("data-ready", "true");
}

function signOut(message) {
  sessionStorage.removeItem("normtrack-token");
  $("board").hidden = true;
  $("progress").hidden = true;
  $("sign-out").hidden = true;
  $("who").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = message || "";
}

async function login(event) {
  event.preventDefault();
  const response = await fetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": LANG },
    body: JSON.stringify({ email: $("email").value, password: $("password").value }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    $("sign-in-error").textContent = body.detail || t("sign_in.failed");
    return;
  }
  sessionStorage.setItem("normtrack-token", body.access_token);
  $("password").value = "";
  showBoard();
}

function useToken(event) {
  event.preventDefault();
  sessionStorage.setItem("normtrack-token", $("token").value.trim());
  $("token").value = "";
  showBoard();
}

document.addEventListener("DOMContentLoaded", async () => {
  $("login-form").addEventListener("submit", login);
  $("token-form").addEventListener("submit", useToken);
  $("sign-out").addEventListener("click", () => signOut());
  await loadLanguage().catch(() => {});
  const fragment = new URLSearchParams(location.hash.slice(1));
  for (const key of ["arrangement", "country", "as_of"]) {
    if (fragment.get(key)) tradeOptions[key] = fragment.get(key);
  }
  if (fragment.get("token")) {
    sessionStorage.setItem("normtrack-token", fragment.get("token"));
    history.replaceState(null, "", location.pathname + location.search);
  }
  if (fragment.get("sso_error")) {
    $("sign-in-error").textContent = fragment.get("sso_error");
    history.replaceState(null, "", location.pathname + location.search);
  }
  // "Sign in with …" for each identity provider the server is configured with.
  fetch("/api/v1/auth/oidc/providers").then((r) => (r.ok ? r.json() : [])).then((providers) => {
    $("sso-providers").replaceChildren(
      ...providers.map((p) => el("a", { href: p.start, class: "button" }, t("sign_in.with", { name: p.name }))),
    );
  }).catch(() => {});
  if (token()) {
    showBoard().catch((error) => signOut(t("page.load_failed", { error: error.message })));
  } else {
    // When the server offers the public read, the board opens without signing in.
    fetch("/api/v1/dashboard/summary?category=fundamental", { headers: { "Accept-Language": LANG } }).then((response) => {
      if (response.ok) {
        showBoard().catch((error) => {
          $("counts-note").textContent = t("page.public_failed", { error: error.message });
          document.body.setAttribute("data-ready", "true");
        });
      }
    }).catch(() => {});
  }
});
