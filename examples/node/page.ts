/**
 * The demo's browser page: a button asks the server (its own route, holding the API token) to
 * enqueue a job, then the page follows that one job with `jdobb-async-queue/client` (served
 * at /client.js) and the job's stream token: `events()` reconnects by itself, resuming after
 * the last update it yielded.
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
  <p>Enqueue a job; this page follows its progress with the queue's client.
    Watch every job in the <a href="/queue/dashboard">dashboard</a> (sign in with the API token
    <code>npm start</code> printed).</p>
  <button id="go">Resize an image</button>
  <p><progress id="bar" max="1" value="0"></progress></p>
  <p id="status">idle</p>
  <ol id="log"></ol>
  <script type="module">
    import { createClient } from "/client.js";
    const $ = (id) => document.getElementById(id);
    const data = document.body.dataset;
    let opens = 0;
    // No admin token here: the job's stream token opens its stream. The fetch wrapper only
    // counts the stream's connections, to show the reconnects.
    const queue = createClient({
      baseUrl: "/queue",
      fetch: (url, init) => {
        if (url.includes("/events")) data.opens = String(++opens);
        return fetch(url, init);
      },
    });
    $("go").onclick = async () => {
      $("go").disabled = true;
      const res = await fetch("/demo/jobs", { method: "POST" });
      const { id, streamToken } = await res.json();
      const seen = [];
      let last;
      try {
        for await (const update of queue.events(id, { token: streamToken })) {
          last = update;
          seen.push(update.seq);
          data.seen = seen.join(",");
          $("bar").value = update.progress;
          $("status").textContent = update.state + (update.message ? " · " + update.message : "");
          const item = document.createElement("li");
          item.textContent = "#" + update.seq + " " + update.type + " " + Math.round(update.progress * 100) + "%";
          $("log").append(item);
        }
        data.done = last.state;
      } catch (error) {
        $("status").textContent = "error: " + error.code + " · " + error.message;
        data.done = "error " + error.code;
      }
      data.job = id;
    };
  </script>
</body>
</html>
`;
