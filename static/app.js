// The normtrack dashboard page: read-only, talks only to this server's JSON API with a
// person's token (sign in) or a dashboard token (pasted, or in the URL fragment #token=...,
// which never reaches the server). No libraries: the charts are plain SVG.
"use strict";

const STATUS_LABELS = {
  in_force: "Ratified, in force",
  ratified: "Ratified (in force not known or not yet)",
  in_progress: "Ratification in progress",
  not_ratified: "Not ratified",
  denounced: "Denounced",
  unknown: "Unknown (no record)",
};

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

function token() {
  return sessionStorage.getItem("normtrack-token");
}

async function api(path) {
  // Without a token (the public read), no Authorization header at all.
  const headers = token() ? { Authorization: "Bearer " + token() } : {};
  const response = await fetch(path, { headers });
  if (response.status === 401 && token()) {
    signOut("Your session has ended; sign in again.");
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
  for (const [key, label] of Object.entries(STATUS_LABELS)) {
    const item = el("span");
    item.append(el("span", { class: "swatch s-" + key, "aria-hidden": "true" }), document.createTextNode(label));
    legend.append(item);
  }
}

function renderMatrix(matrix) {
  const table = el("table", { class: "matrix", "data-testid": "matrix-table" });
  table.append(el("caption", { class: "note" }, "As at " + matrix.as_of + "; " + matrix.countries.length + " member states"));
  const head = el("tr");
  head.append(el("th", { scope: "col" }, "Country"));
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
      const label = row.name + ", " + matrix.conventions[i] + ": " + STATUS_LABELS[kind];
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
  const chart = svg("svg", { width, height, role: "img", "aria-label": "Ratified and in force per instrument, out of " + max + " member states", id: "counts-svg" });
  chart.append(svg("text", { x: left, y: 14 }, "Ratified (light) and in force (dark), out of " + max + " member states"));
  const scale = (n) => (n / max) * (width - left - 330);
  items.forEach((item, i) => {
    const y = top + i * rowHeight;
    chart.append(svg("text", { x: 0, y: y + 14 }, item.convention));
    chart.append(svg("rect", { class: "bar-ratified", x: left, y, width: scale(item.ratified), height: rowHeight - 6 }));
    chart.append(svg("rect", { class: "bar-in-force", x: left, y: y + 4, width: scale(item.in_force), height: rowHeight - 14 }));
    const notes = [];
    if (item.in_force_unknown) notes.push("in force unknown for " + item.in_force_unknown);
    if (item.unknown) notes.push(item.unknown + " without a record");
    chart.append(svg("text", { x: left + scale(item.ratified) + 4, y: y + 14 }, item.ratified + " / " + item.in_force + (notes.length ? " (" + notes.join("; ") + ")" : "")));
    chart.append(svg("text", { x: width - 4, y: y + 14, "text-anchor": "end", class: "coverage", "data-convention": item.convention }, coverageText(item.convention, item.coverage)));
  });
  $("counts-chart").replaceChildren(chart);
  const all = summary.all_fundamental;
  $("counts-note").textContent = "As at " + summary.as_of + ". " + all.countries + " member states are known to have ratified all " + all.conventions.length + " fundamental conventions" + (all.countries_unknown ? "; for " + all.countries_unknown + " more, some records are missing." : ".");
}

// "C087: 4 of 187 known, sources 2011 to 2022-10": how much of a count is known, and how old.
function coverageText(label, coverage) {
  let text = label + ": " + coverage.known + " of " + coverage.of + " known";
  if (coverage.oldest_source_date) {
    text += coverage.oldest_source_date === coverage.newest_source_date
      ? ", source " + coverage.oldest_source_date
      : ", sources " + coverage.oldest_source_date + " to " + coverage.newest_source_date;
  }
  return text;
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
  legend.append(el("span", { id: "coverage-note" }, coverageText("Pairs", total)));
}

function renderTimeline(timeline, code) {
  const instrument = timeline.instruments.find((i) => i.convention === code) || timeline.instruments[0];
  const chartBox = $("timeline-chart");
  if (!instrument || instrument.years.length === 0) {
    chartBox.replaceChildren(el("p", { class: "note" }, "No dated ratifications for this instrument."));
    return;
  }
  const width = 760, height = 260, left = 44, bottom = 30, top = 14, right = 16;
  const years = instrument.years;
  const first = years[0].year, last = Math.max(years[years.length - 1].year, first + 1);
  const max = years[years.length - 1].cumulative || 1;
  const x = (year) => left + ((year - first) / (last - first)) * (width - left - right);
  const y = (n) => height - bottom - (n / max) * (height - bottom - top);
  const chart = svg("svg", { width, height, role: "img", id: "timeline-svg", "aria-label": "Cumulative ratifications of " + instrument.convention + " per year" });
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
    chartBox.append(el("p", { class: "note" }, instrument.undated + " ratification(s) of " + instrument.convention + " have no registration date in our sources and are not on the time line."));
  }
}

async function renderDeadlines() {
  const box = $("deadlines");
  try {
    const page = await api("/api/v1/deadlines?per_page=10");
    if (page.items.length === 0) {
      box.replaceChildren(el("p", { class: "note" }, "Nothing due in the next twelve months."));
      return;
    }
    const table = el("table", { class: "deadlines" });
    const head = el("tr");
    for (const h of ["Due", "Country", "What", "Status"]) head.append(el("th", { scope: "col" }, h));
    table.append(head);
    for (const d of page.items) {
      const tr = el("tr");
      tr.append(el("td", {}, d.due_on), el("td", {}, d.country_name + " (" + d.country + ")"), el("td", {}, d.title));
      tr.append(el("td", { class: d.overdue ? "overdue" : "" }, d.status + (d.overdue ? " — overdue" : "")));
      table.append(tr);
    }
    box.replaceChildren(table);
  } catch (error) {
    const text = error.status === 403 || error.status === 401
      ? "Deadlines are shown to people signed in with their own account; a dashboard token sees public aggregates only."
      : "Deadlines could not be loaded: " + error.message;
    box.replaceChildren(el("p", { class: "note" }, text));
  }
}

async function renderProgrammes() {
  const box = $("programmes");
  try {
    const page = await api("/api/v1/programmes?per_page=100");
    if (page.items.length === 0) {
      box.replaceChildren(el("p", { class: "note" }, "No programme is recorded (administrators add them)."));
      return;
    }
    const list = el("ul", { class: "programmes" });
    for (const p of page.items) {
      const item = el("li");
      item.append(
        el("a", { href: "/programmes/" + p.id + "/progress", class: "programme" }, p.name),
        document.createTextNode(" — " + p.starts_on + " to " + p.ends_on + "; " + p.countries.join(", ")),
      );
      list.append(item);
    }
    box.replaceChildren(list);
  } catch (error) {
    const text = error.status === 403 || error.status === 401
      ? "Programme progress is shown to people signed in with their own account."
      : "Programmes could not be loaded: " + error.message;
    box.replaceChildren(el("p", { class: "note" }, text));
  }
}

const JUDGEMENT_LABELS = { met: "met", unmet: "unmet", unknown: "unknown" };

// Options a link may carry in its fragment: #arrangement=...&country=...&as_of=...
const tradeOptions = {};

function renderCompliance(table) {
  const box = $("compliance");
  const t = el("table", { class: "compliance", "data-testid": "compliance-table" });
  const totals = table.totals;
  t.append(el("caption", { class: "note" }, table.name + ", as at " + table.as_of + ": " + table.members.length + " members; met " + totals.met + ", unmet " + totals.unmet + ", unknown " + totals.unknown + (table.membership_unknown.length ? "; membership unknown for " + table.membership_unknown.length : "")));
  const head = el("tr");
  head.append(el("th", { scope: "col" }, "Member"));
  for (const i of table.instruments) head.append(el("th", { scope: "col", title: i.named_as + " — " + i.commitment_type }, i.convention || i.named_as.slice(0, 12)));
  head.append(el("th", { scope: "col" }, "Met / unmet / unknown"));
  t.append(head);
  for (const row of table.members) {
    const tr = el("tr");
    tr.append(el("th", { scope: "row" }, row.country_name + " (" + row.country + ")" + (row.membership === "partly_withdrawn" ? " — partly withdrawn" : "")));
    for (const cell of row.cells) {
      if (!cell) {
        tr.append(el("td", {}, "—"));
        continue;
      }
      const label = row.country + ", " + (cell.convention || "") + ": " + cell.compliance + " (" + (cell.status || "no record") + ")";
      tr.append(el("td", { class: "cc j-" + cell.compliance, title: label, "aria-label": label }, JUDGEMENT_LABELS[cell.compliance]));
    }
    tr.append(el("td", {}, row.totals.met + " / " + row.totals.unmet + " / " + row.totals.unknown));
    t.append(tr);
  }
  box.replaceChildren(t);
}

function renderCommitments(view) {
  const box = $("commitments");
  const parts = [el("p", { class: "note" }, view.country_name + ", as at " + view.as_of + ": met " + view.totals.met + ", unmet " + view.totals.unmet + ", unknown " + view.totals.unknown + ".")];
  for (const a of view.arrangements) {
    parts.push(el("h4", {}, a.name + " — " + a.membership.replace("_", " ") + (a.since ? " since " + a.since : "")));
    const t = el("table", { class: "commitments" });
    const head = el("tr");
    for (const h of ["Instrument", "Commitment", "Standing", "Source", "Judgement"]) head.append(el("th", { scope: "col" }, h));
    t.append(head);
    for (const c of a.commitments) {
      const tr = el("tr");
      const standing = c.standing.status ? c.standing.status + (c.standing.in_force === true ? ", in force" : "") + (c.standing.stage ? " (" + c.standing.stage + ")" : "") : "no record";
      tr.append(el("td", { title: c.named_as }, c.convention || c.named_as), el("td", {}, c.commitment_type.replaceAll("_", " ")), el("td", {}, standing), el("td", {}, c.standing.source_date || ""));
      tr.append(el("td", { class: "cm j-" + c.compliance }, JUDGEMENT_LABELS[c.compliance]));
      t.append(tr);
    }
    parts.push(t);
  }
  if (view.arrangements.length === 0) parts.push(el("p", { class: "note" }, "No arrangement bound this country on that day, by what the sources say."));
  if (view.membership_unknown.length) parts.push(el("p", { class: "note" }, "Membership unknown that day: " + view.membership_unknown.map((a) => a.name).join("; ") + "."));
  if (view.comments.length) {
    parts.push(el("h4", {}, "Supervisory comments of the last five years"));
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
      $("commitments").replaceChildren(el("p", { class: "note" }, "No member on that day."));
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
      who.textContent = me.user ? "Signed in: " + me.user.display_name + " (" + me.role + ")" : "Dashboard token: " + me.token_name;
    } catch (error) {
      return;
    }
  } else {
    who.textContent = "Public data, without signing in";
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
    $("compliance").replaceChildren(el("p", { class: "note" }, "Trade commitments could not be loaded: " + error.message));
  }
  document.body.setAttribute("data-ready", "true");
}

// ------------------------------------------------------------------ programme progress
// /programmes/{id}/progress: the four-area report of a programme, per country, for the
// steering committee; printing the page gives its document.

const PROGRESS_PATH = /^\/programmes\/(\d+)\/progress\/?$/;

const AREAS = [
  ["ratifications", "Ratifications", [
    ["registered", "Registered in the period"],
    ["in_progress", "In progress now"],
  ]],
  ["reforms", "Reforms", [
    ["gaps_opened", "Gaps opened"],
    ["gaps_closed", "Gaps closed"],
    ["milestones_completed", "Milestones completed"],
    ["milestones_overdue", "Milestones overdue now"],
  ]],
  ["responsible_business_conduct", "Responsible business conduct", [
    ["initiatives_active", "Initiatives active now"],
    ["activities_completed", "Activities completed"],
    ["activities_overdue", "Activities overdue now"],
  ]],
  ["reporting", "Reporting", [
    ["requests_due", "Reports due"],
    ["submitted_on_time", "Submitted on time"],
    ["submitted_late", "Submitted late"],
    ["not_submitted", "Not submitted"],
    ["overdue", "Overdue now"],
  ]],
];

async function showList(list) {
  const panel = $("progress-list");
  panel.replaceChildren(el("p", { class: "note" }, "Loading " + list + " …"));
  try {
    const page = await api(list + (list.includes("?") ? "&" : "?") + "per_page=100");
    panel.replaceChildren(
      el("h3", {}, list),
      el("p", { class: "note" }, page.total + " in all" + (page.total > page.items.length ? "; the first " + page.items.length + " shown" : "")),
      el("pre", {}, JSON.stringify(page.items, null, 1)),
    );
  } catch (error) {
    panel.replaceChildren(el("p", { class: "error" }, "Could not load " + list + ": " + error.message));
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
  const max = Math.max(1, ...countries.flatMap((c) => figures.map(([key]) => c[area][key].count)));
  const chart = svg("svg", {
    width, height: countries.length * groupHeight + 8, role: "img", class: "area-chart",
    "aria-label": "Figures per country", "data-area": area,
  });
  countries.forEach((c, i) => {
    const y0 = i * groupHeight + 4;
    chart.append(svg("text", { x: 0, y: y0 + groupHeight / 2 }, c.name + " (" + c.country + ")"));
    figures.forEach(([key], j) => {
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
  $("progress-title").textContent = report.name + ": progress";
  $("progress-period").textContent = "Period " + report.from + " to " + report.to + "; figures marked now are as of " + report.as_of + ". "
    + report.countries.length + " countries.";
  $("progress-from").value = report.from;
  $("progress-to").value = report.to;
  const areas = $("progress-areas");
  areas.replaceChildren();
  for (const [area, title, figures] of AREAS) {
    const section = el("section", { class: "area", "data-area": area });
    section.append(el("h3", {}, title));
    const legend = el("div", { class: "chart-legend" });
    figures.forEach(([, label], j) => {
      const item = el("span");
      item.append(el("span", { class: "swatch f" + j }), document.createTextNode(" " + label));
      legend.append(item);
    });
    section.append(legend, areaChart(report.countries, area, figures));
    const table = el("table", { class: "progress" });
    const head = el("tr");
    head.append(el("th", {}, "Country"));
    for (const [, label] of figures) head.append(el("th", {}, label));
    if (area === "reporting") head.append(el("th", {}, "Serious failure signal"));
    table.append(head);
    for (const c of report.countries) {
      const row = el("tr");
      row.append(el("td", {}, c.name + " (" + c.country + ")"));
      for (const [key] of figures) {
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
          years.length ? years[0] + "–" + years[years.length - 1] : "none"));
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
    const response = await fetch($("progress-csv").href, { headers: { Authorization: "Bearer " + token() } });
    if (response.status === 401) return signOut("Your session has ended; sign in again.");
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      $("progress-list").replaceChildren(el("p", { class: "error" }, "The CSV could not be made: " + (problem.detail || response.statusText)));
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
    $("progress-areas").replaceChildren(el("p", { class: "error" }, "The progress report could not be loaded: " + error.message));
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
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: $("email").value, password: $("password").value }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    $("sign-in-error").textContent = body.detail || "Sign-in failed.";
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

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("token-form").addEventListener("submit", useToken);
  $("sign-out").addEventListener("click", () => signOut());
  const fragment = new URLSearchParams(location.hash.slice(1));
  for (const key of ["arrangement", "country", "as_of"]) {
    if (fragment.get(key)) tradeOptions[key] = fragment.get(key);
  }
  if (fragment.get("token")) {
    sessionStorage.setItem("normtrack-token", fragment.get("token"));
    history.replaceState(null, "", location.pathname + location.search);
  }
  if (token()) {
    showBoard().catch((error) => signOut("Could not load the dashboard: " + error.message));
  } else {
    // When the server offers the public read, the board opens without signing in.
    fetch("/api/v1/dashboard/summary?category=fundamental").then((response) => {
      if (response.ok) {
        showBoard().catch((error) => {
          $("counts-note").textContent = "The public data could not be loaded: " + error.message;
          document.body.setAttribute("data-ready", "true");
        });
      }
    }).catch(() => {});
  }
});
