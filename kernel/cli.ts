/**
 * Command line of the Jupyter side of lenses (through deno.json tasks):
 *
 *   deno task kernel:install | kernel:uninstall
 *   deno task run NOTEBOOK... [-o OUT] [--timeout S] [--param k=v]... [--allow-errors]
 *                             [--inplace] [--scale S] [--quiet]
 *   deno task export NOTEBOOK... [-o OUT.html] [--trust]
 *   deno task report [--scale S] [--timeout S] [--out DIR] [--quiet] [NOTEBOOK...]
 *   deno task sweep NOTEBOOK... [--seeds 0-4] [--param k=v1,v2]... [--executor local|slurm] ...
 *
 * Exit status: 0 on success, 1 when a notebook failed, 2 on bad usage or unreadable input.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { verdictSummary } from "../lib/display/claims.ts";
import { DestinationError } from "./destination.ts";
import { exportNotebookFile } from "./export.ts";
import { hasCommand, installKernelSpec, uninstallKernelSpec } from "./kernelspec.ts";
import { killLiveKernels } from "./kernel.ts";
import {
  installNbconvertTemplate,
  NBCONVERT_TEMPLATE,
  uninstallNbconvertTemplate,
} from "./nbconvert_template.ts";
import { NotebookFormatError } from "./nbformat.ts";
import { parseParams } from "./params.ts";
import { reportsDir } from "./paths.ts";
import { seconds, terminalProgress } from "./progress.ts";
import { buildReport } from "./report.ts";
import { failureText, runNotebookFile, type RunSummary } from "./runner.ts";
import { SWEEP_USAGE, sweepCommand } from "./sweep/cli.ts";
import { log, quiet, scaleOf, timeoutOf, UsageError } from "./cli_options.ts";
import { stopSweep } from "./sweep/sweep.ts";

const USAGE = `usage:
  deno task kernel:install            register the "lenses" Jupyter kernelspec and nbconvert template
  deno task kernel:uninstall          remove them
  deno task run NOTEBOOK... [-o OUT] [--timeout S] [--param k=v]... [--allow-errors] [--inplace] [--scale S] [--quiet]
  deno task export NOTEBOOK... [-o OUT.html] [--trust]   (--trust: keep the notebook's HTML
                                      outputs' scripts; only for notebooks you ran yourself)
  deno task report [--scale S] [--timeout S] [--out DIR] [--quiet] [NOTEBOOK...]
${SWEEP_USAGE}`;

function describe(summary: RunSummary): string {
  const where = summary.output ? ` -> ${summary.output}` : "";
  if (summary.status === "ok") {
    return `${summary.name}: ok in ${seconds(summary.durationMs)}${where}`;
  }
  return `${summary.name}: ${failureText(summary)}${where}`;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: "string", short: "o" },
      timeout: { type: "string" },
      param: { type: "string", short: "p", multiple: true },
      "allow-errors": { type: "boolean" },
      inplace: { type: "boolean" },
      scale: { type: "string" },
      quiet: { type: "boolean", short: "q" },
    },
  });
  if (positionals.length === 0) throw new UsageError("run: name a notebook");
  if (values.output && positionals.length > 1) {
    throw new UsageError(
      "-o takes one notebook; with several, each goes to reports/<name>.ipynb",
    );
  }
  if (values.output && values.inplace) {
    throw new UsageError("use either -o or --inplace, not both");
  }
  let params;
  try {
    params = parseParams(values.param ?? []);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const timeoutS = timeoutOf(values.timeout);
  // Without --scale the kernel inherits LENSES_SCALE from this process.
  const env = values.scale === undefined ? undefined : { LENSES_SCALE: scaleOf(values.scale) };
  let failed = 0;
  for (const path of positionals) {
    const summary = await runNotebookFile(path, {
      output: values.inplace ? path : values.output,
      timeoutS,
      allowErrors: values["allow-errors"],
      params,
      env,
      onProgress: quiet(values.quiet) ? undefined : terminalProgress(path),
    });
    if (summary.status === "invalid") {
      log(`error: ${summary.error?.evalue}`);
      return 2;
    }
    if (summary.status !== "ok" || summary.writeError) failed++;
    log(describe(summary));
    if (summary.writeError) log(`error: ${summary.writeError}`);
    for (const p of summary.schemaProblems.slice(0, 5)) {
      log(
        `warning: ${summary.name} does not validate against nbformat 4.5: ${p}`,
      );
    }
  }
  return failed > 0 ? 1 : 0;
}

async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: "string", short: "o" }, trust: { type: "boolean" } },
  });
  if (positionals.length === 0) throw new UsageError("export: name a notebook");
  if (values.output && positionals.length > 1) {
    throw new UsageError(
      "-o takes one notebook; with several, each goes to reports/<name>.html",
    );
  }
  for (const path of positionals) {
    const html = await exportNotebookFile(path, values.output, { trusted: values.trust });
    log(`${path} -> ${html}`);
  }
  return 0;
}

async function report(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      scale: { type: "string" },
      timeout: { type: "string" },
      out: { type: "string" },
      quiet: { type: "boolean", short: "q" },
    },
  });
  const scale = scaleOf(values.scale);
  const summary = await buildReport({
    notebooks: positionals.length > 0 ? positionals : undefined,
    scale,
    outDir: values.out,
    timeoutS: timeoutOf(values.timeout),
    progress: quiet(values.quiet) ? undefined : (name) => terminalProgress(name),
    onWriteError: (line) => log(`error: ${line}`),
  });
  if (summary.notebooks.length === 0) {
    log(
      "no notebooks found in notebooks/: nothing to run. Add .ipynb files there; " +
        `${join(resolve(values.out ?? reportsDir()), "index.html")} says the same.`,
    );
    return 0;
  }
  for (const n of summary.notebooks) {
    log(
      `${n.name}: ${n.status} in ${n.duration_s.toFixed(1)} s; claims: ${
        verdictSummary(n.claims.counts)
      }${n.error ? `; ${n.error.ename}: ${n.error.evalue}` : ""}`,
    );
  }
  const out = resolve(values.out ?? reportsDir());
  log(`wrote ${join(out, "index.html")} and ${join(out, "summary.json")}`);
  return summary.ok ? 0 : 1;
}

async function install(): Promise<number> {
  const dir = await installKernelSpec();
  log(`installed the "lenses" kernelspec (Deno (lenses)) in ${dir}`);
  const template = await installNbconvertTemplate();
  log(
    `installed the "${NBCONVERT_TEMPLATE}" nbconvert template in ${template} ` +
      `(jupyter nbconvert --to html --template ${NBCONVERT_TEMPLATE}: charts draw offline)`,
  );
  if (!await hasCommand("jupyter")) {
    log(
      "Jupyter itself is not installed; the headless runner does not need it. To open the " +
        "notebooks interactively: `pip install jupyterlab` (or Debian: `apt install " +
        "jupyter-notebook`), or VS Code with the Jupyter extension, then pick the " +
        '"Deno (lenses)" kernel.',
    );
  }
  return 0;
}

async function uninstall(): Promise<number> {
  log(
    await uninstallKernelSpec()
      ? 'removed the "lenses" kernelspec'
      : 'no "lenses" kernelspec was installed',
  );
  if (await uninstallNbconvertTemplate()) {
    log(`removed the "${NBCONVERT_TEMPLATE}" nbconvert template`);
  }
  return 0;
}

/**
 * Runs one CLI command and returns its exit status.
 *
 * @example
 * ```ts
 * Deno.exit(await main(["report", "--scale", "smoke"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  // `deno task` runs commands from the project root; paths the user typed are relative to
  // where they typed them, which deno task passes on as INIT_CWD.
  const typedFrom = Deno.env.get("INIT_CWD");
  if (typedFrom) Deno.chdir(typedFrom);
  const [command, ...rest] = args;
  const wantsHelp = (a: string) => a === "help" || a === "--help" || a === "-h";
  if (
    command === undefined ? false : wantsHelp(command) || rest.some(wantsHelp)
  ) {
    console.log(USAGE);
    return 0;
  }
  try {
    switch (command) {
      case "install":
        return await install();
      case "uninstall":
        return await uninstall();
      case "run":
        return await run(rest);
      case "export":
        return await exportCommand(rest);
      case "report":
        return await report(rest);
      case "sweep":
        return await sweepCommand(rest);
      default:
        throw new UsageError(
          command ? `unknown command "${command}"` : "name a command",
        );
    }
  } catch (err) {
    if (err instanceof UsageError) {
      log(`error: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (
      err instanceof NotebookFormatError || err instanceof DestinationError ||
      isParseArgsError(err)
    ) {
      log(`error: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}

function isParseArgsError(err: unknown): boolean {
  return err instanceof Error &&
    String((err as { code?: unknown }).code ?? "").startsWith("ERR_PARSE_ARGS");
}

if (import.meta.main) {
  const stop = () => {
    killLiveKernels();
    stopSweep();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
  Deno.exit(await main(Deno.args));
}
