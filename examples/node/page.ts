/**
 * The demo's browser page: a button asks the server (its own route, holding the API token) to
 * enqueue a job, then the page follows that one job with a plain `EventSource` on the
 * browser-safe `streamUrl`. Reconnects (and their `Last-Event-ID`) are the browser's own.
 */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>jdobb-async-queue demo</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; }
    progress { width: 100%; height: 1.5rem; }
    ol { font: 13px/1.4 ui-monospace, monospace; color: #444; }
  </style>
</head>
<body>
  <h1>jdobb-async-queue</h1>
  <p>Enqueue a job; this page follows its progress over Server-Sent Events.</p>
  <button id="go">Resize an image</button>
  <p><progress id="bar" max="1" value="0"></progress></p>
  <p id="status">idle</p>
  <ol id="log"></ol>
  <script>
    const TYPES = ["snapshot", "active", "progress", "retry-scheduled", "lease-expired", "released", "redriven",
      "completed", "failed", "cancelled"];
    const FINAL = ["completed", "failed", "cancelled"];
    const $ = (id) => document.getElementById(id);
    $("go").onclick = async () => {
      $("go").disabled = true;
      const res = await fetch("/demo/jobs", { method: "POST" });
      const { id, streamUrl } = await res.json();
      const seen = [];
      let opens = 0;
      const stream = new EventSource(streamUrl);
      stream.onopen = () => {
        opens += 1;
        document.body.dataset.opens = String(opens);
      };
      for (const type of TYPES) {
        stream.addEventListener(type, (event) => {
          const update = JSON.parse(event.data);
          seen.push(Number(event.lastEventId));
          document.body.dataset.seen = seen.join(",");
          $("bar").value = update.progress;
          $("status").textContent = update.state + (update.message ? " · " + update.message : "");
          const item = document.createElement("li");
          item.textContent = "#" + event.lastEventId + " " + type + " " + Math.round(update.progress * 100) + "%";
          $("log").append(item);
          if (FINAL.includes(type)) {
            stream.close();
            document.body.dataset.done = update.state;
            document.body.dataset.job = id;
          }
        });
      }
    };
  </script>
</body>
</html>
`;
