import { KernelClient } from "./client.ts";
import { newConnectionInfo, writeConnectionFile } from "./connection.ts";
import { KernelProcess } from "./kernel_process.ts";
const info = newConnectionInfo();
const file = await writeConnectionFile(info);
const t0 = performance.now();
const proc = KernelProcess.start({ connectionFile: file, cwd: "/work/main", env: { LENSES_SCALE: "smoke" } });
const client = await KernelClient.connect(info);
let ready = false;
while (!ready) {
  const id = await client.send("shell", "kernel_info_request", {});
  const r = await client.reply(id, 1000);
  if (r) { console.log("info", JSON.stringify(r.content).slice(0, 300)); ready = true; }
}
console.log("ready ms", performance.now() - t0);
async function run(code: string, timeout = 10000) {
  const id = await client.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  const end = performance.now() + timeout;
  let idle = false;
  while (performance.now() < end) {
    const m = await client.nextIopub(idle ? 300 : end - performance.now());
    if (!m) break;
    console.log("  iopub", m.header.msg_type, m.parent_header.msg_id === id ? "" : "OTHER", JSON.stringify(m.content).slice(0, 200));
    if (m.header.msg_type === "status" && m.content.execution_state === "idle" && m.parent_header.msg_id === id) idle = true;
  }
  const r = await client.reply(id, 100);
  console.log("  reply", JSON.stringify(r?.content).slice(0, 300));
}
await run(`console.log("hi", Deno.env.get("LENSES_SCALE")); console.error("err"); 1+1`);
await run(`const x = 1; x`);
await run(`const x = 2; x`);
await run(`Deno.jupyter.display({"text/plain": "a", "text/html": "<b>a</b>"}, {raw: true})`);
await run(`await Deno.jupyter.broadcast("display_data", {data: {"text/plain": "d0"}, metadata: {}, transient: {display_id: "d"}}); await Deno.jupyter.broadcast("update_display_data", {data: {"text/plain": "d1"}, metadata: {}, transient: {display_id: "d"}});`);
await run(`throw new Error("boom")`);
await run(`Deno.readTextFileSync("/etc/hostname").length`);
await run(`import.meta.url`);
console.log("hb alive", await client.heartbeat(500));
const id = await client.send("shell", "execute_request", { code: "console.log('start'); while(true){}", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
await new Promise(r => setTimeout(r, 1000));
const cid = await client.send("control", "interrupt_request", {});
console.log("exec reply after interrupt", JSON.stringify((await client.reply(id, 3000))?.content));
console.log("interrupt reply", JSON.stringify((await client.reply(cid, 1000))?.content));
for (let m; (m = await client.nextIopub(300));) console.log("  iopub", m.header.msg_type, JSON.stringify(m.content).slice(0,200));
await run("40+2");
await run("Deno.exit(3)");
const e = await Promise.race([proc.exited, new Promise(r => setTimeout(() => r("still alive"), 2000))]);
console.log("after exit", e);
console.log("hb", await client.heartbeat(500));
await proc.kill();
client.close();
console.log(proc.log);
