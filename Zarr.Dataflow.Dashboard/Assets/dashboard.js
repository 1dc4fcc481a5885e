// Live updates of the dashboard's pages from server-sent events (one stream per page, throttled on the server).
// The page is complete without this script; it re-renders the parts that change, in the server's formats.
"use strict";
(function () {
  const body = document.body;
  const url = body.dataset.events;
  if (!url || !window.EventSource) { return; }
  const esc = s => String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const pct = f => { const v = Math.round(f * 1000) / 10; return (Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)) + "%"; };
  const bytes = b => b >= 2 ** 30 ? (b / 2 ** 30).toFixed(1) + " GiB" : b >= 2 ** 20 ? (b / 2 ** 20).toFixed(1) + " MiB" : b >= 2 ** 10 ? (b / 2 ** 10).toFixed(1) + " KiB" : b + " B";
  const $ = id => document.getElementById(id);
  const source = new EventSource(url);

  if (body.dataset.prefix !== undefined) {
    const prefix = body.dataset.prefix;
    source.addEventListener("jobs", e => {
      const jobs = JSON.parse(e.data);
      $("jobs").tBodies[0].innerHTML = jobs.map(j =>
        `<tr data-id="${esc(j.id)}"><td><a href="${esc(prefix)}/jobs/${esc(j.id)}">${esc(j.name)}</a></td><td class="state ${esc(j.state)}">${esc(j.state)}</td>` +
        `<td>${pct(j.fraction)}</td><td>${j.chunks_done} / ${j.chunks_total}</td><td>${esc(j.created.substring(0, 19).replace("T", " "))}</td></tr>`).join("");
    });
    return;
  }

  function chart(points) {
    const maxT = Math.max(1, points.length ? points[points.length - 1][0] : 1);
    const maxY = Math.max(0.001, points.length ? Math.max(...points.map(p => Math.max(p[1], p[2]))) : 1);
    const line = k => points.map(p => `${(40 + p[0] / maxT * 550).toFixed(1)},${(150 - p[k] / maxY * 140).toFixed(1)}`).join(" ");
    const last = points.length ? points[points.length - 1] : [0, 0, 0];
    const svg = document.querySelector("#chart svg");
    svg.querySelector("title").textContent = `Throughput over time: latest ${last[1].toFixed(1)} MB/s in, ${last[2].toFixed(1)} MB/s out; peak ${Math.round(maxY * 1000) / 1000} MB/s`;
    const ticks = svg.querySelectorAll("text");
    ticks[0].textContent = String(Math.round(maxY * 1000) / 1000);
    ticks[2].textContent = `${Math.round(maxT * 10) / 10} s`;
    svg.querySelector("polyline.in").setAttribute("points", line(1));
    svg.querySelector("polyline.out").setAttribute("points", line(2));
    $("mbps-in").textContent = last[1].toFixed(1);
    $("mbps-out").textContent = last[2].toFixed(1);
  }

  function render(j) {
    $("state").textContent = j.state;
    $("state").className = "state " + j.state;
    $("overall").textContent = `${pct(j.fraction)} (${j.chunks_done} of ${j.chunks_total} chunks) in ${j.elapsed_s.toFixed(1)} s`;
    $("cancel").hidden = !j.can_cancel;
    $("error").hidden = !j.error;
    if (j.error) {
      const e = j.error;
      $("error-text").textContent = (e.stage ? `Stage ${e.stage}` : "") + (e.chunk ? `, chunk ${e.chunk}` : "") + (e.stage || e.chunk ? ": " : "") + e.message;
    }
    $("phases").innerHTML = j.phases.map((p, i) =>
      `<div class="phase"><label for="phase-${i}">${esc(p.name)}: ${p.chunks_done} / ${p.chunks_total} chunks</label> <progress id="phase-${i}" max="1" value="${p.fraction}">${pct(p.fraction)}</progress> <span>${pct(p.fraction)}</span></div>`).join("");
    $("bottleneck").textContent = j.bottleneck ? `Bounded by the ${j.bottleneck} stage (its workers were the busiest).` : "No stage report yet.";
    $("stages").tBodies[0].innerHTML = j.stages.map(s =>
      `<tr><td>${esc(s.phase)}</td><th scope="row">${esc(s.name)}</th><td>${s.parallelism}</td><td>${s.items} / ${s.total}</td>` +
      `<td>${s.busy_s.toFixed(3)}</td><td>${s.wait_in_s.toFixed(3)}</td><td>${s.wait_out_s.toFixed(3)}</td><td>${pct(s.utilization)}</td></tr>`).join("");
    chart(j.throughput);
    $("inflight").textContent = j.chunks_in_flight;
    $("pooled").textContent = bytes(j.pooled_bytes);
    $("read").textContent = bytes(j.bytes_read);
    $("written").textContent = bytes(j.bytes_written);
    $("workers-section").hidden = j.workers.length === 0;
    $("workers").tBodies[0].innerHTML = j.workers.map(w =>
      `<tr><th scope="row">${esc(w.name)}</th><td>${w.tasks_done}</td><td>${w.in_flight}</td><td>${w.retries}</td><td>${w.lost}</td></tr>`).join("");
    body.dataset.seq = j.seq;
  }

  source.addEventListener("state", e => render(JSON.parse(e.data)));
  // The last event: the job ended and its numbers are final; the stream closes, and so must the page's end of it (or it reconnects).
  source.addEventListener("end", e => { render(JSON.parse(e.data)); body.dataset.ended = "true"; source.close(); });
  // The cancel button stays a plain form (it works without this script); with it, the page stays and the stream shows the end.
  $("cancel").addEventListener("submit", e => {
    e.preventDefault();
    fetch(e.target.action, { method: "POST", headers: { "Accept": "application/json" } });
  });
})();
