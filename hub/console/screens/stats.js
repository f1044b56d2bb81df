// Statistics for Länsstyrelsen: episodes per month by municipality, outcome and duration,
// the time from absence to police report, tasks done on time. Charts are drawn by the hub
// (SVG from the same published cells); each has its numbers beside it and a CSV download.
import { el, field, form, loading, problem, section } from "../lib/render.js";
import { t, has } from "../lib/i18n.js";
import { api } from "../lib/session.js";

const CHARTS = [
  ["MUNICIPALITY", "chartMunicipality"], ["OUTCOME", "chartOutcome"], ["DURATION_BAND", "chartDuration"],
  ["POLICE_REPORT_DELAY_BAND", "chartDelay"], ["TASKS_ON_TIME", "chartTasks"],
];
const CELLS = `query($from: Date!, $to: Date!, $by: [StatisticsDimension!]!) { statistics(from: $from, to: $to, groupBy: $by) { period values { value } count } }`;
const CHART = `query($from: Date!, $to: Date!, $d: StatisticsDimension!, $title: String!, $labels: [ChartLabel!]) {
  statisticsChart(from: $from, to: $to, dimension: $d, title: $title, labels: $labels) }`;

const monthStart = (month) => `${month}-01`;
function monthEnd(month) {
  const [year, m] = month.split("-").map(Number);
  return `${month}-${String(new Date(year, m, 0).getDate()).padStart(2, "0")}`;
}
const thisMonth = (back = 0) => {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - back);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
};
const csvCell = (v) => `"${String(v).replace(/"/g, '""')}"`;

async function chart(dimension, titleKey, period, names, urls) {
  const label = (value) => names.get(value) || (has(value) ? t(value) : value);
  // the chart draws the same published cells: it needs names for the values they hold
  const cells = await api(CELLS, { ...period, by: [dimension] });
  const values = [...new Set(cells.statistics.map((c) => c.values[0].value))];
  const labels = values.map((value) => ({ value, label: label(value) }));
  const drawn = await api(CHART, { ...period, d: dimension, title: t(titleKey), labels });
  const url = URL.createObjectURL(new Blob([drawn.statisticsChart], { type: "image/svg+xml" }));
  urls.push(url);
  const rows = cells.statistics.map((c) => [c.period, label(c.values[0].value), c.count]);
  const csv = [[t("period"), t(titleKey), t("count")], ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n");
  const csvUrl = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
  urls.push(csvUrl);
  return section(`chart-${dimension}`, t(titleKey),
    el("img", { class: "chart", src: url, alt: t(titleKey), "data-dimension": dimension }),
    el("details", {}, el("summary", {}, t("count")), rows.length ? el("table", { class: "log" },
      el("thead", {}, el("tr", {}, [t("period"), t(titleKey), t("count")].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((v) => el("td", {}, v)))))) : el("p", {}, t("none"))),
    el("a", { href: csvUrl, download: `statistik-${dimension.toLowerCase()}.csv` }, t("exportCsv")));
}

export async function show(main) {
  const organisations = (await api("{ organisations { id name } }")).organisations;
  const names = new Map(organisations.map((o) => [o.id, o.name]));
  const charts = el("div", { class: "charts", id: "charts" });
  let urls = [];
  const draw = async (from, to) => {
    urls.forEach((u) => URL.revokeObjectURL(u));
    urls = [];
    charts.replaceChildren(loading());
    const period = { from: monthStart(from), to: monthEnd(to) };
    try {
      charts.replaceChildren(...(await Promise.all(CHARTS.map(([d, key]) => chart(d, key, period, names, urls)))));
    } catch (error) { charts.replaceChildren(problem(error)); }
  };
  main.replaceChildren(el("h2", {}, t("stats")), el("p", { class: "help" }, t("statsHelp")),
    form({ id: "stats-form", class: "card filters" }, [
      field("from", t("fromMonth"), { type: "month", value: thisMonth(11), required: true }),
      field("to", t("toMonth"), { type: "month", value: thisMonth(0), required: true }),
    ], t("draw"), async (data) => { await draw(data.get("from"), data.get("to")); return " "; }), charts);
  await draw(thisMonth(11), thisMonth(0));
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}
