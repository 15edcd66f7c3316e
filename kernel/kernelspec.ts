/**
 * The `lenses` kernelspec: a Jupyter kernel entry that runs this project's Deno kernel, so the
 * notebooks open ready to run in JupyterLab, classic Notebook and VS Code.
 *
 * `deno jupyter --kernel` accepts no `--config` or permission flags: it runs with all
 * permissions and finds deno.json by walking up from its working directory, which Jupyter
 * sets to the notebook's directory; notebooks inside this project therefore get its import
 * map. `interrupt_mode: "message"` matters: Deno's kernel stops a running cell on an
 * interrupt_request, but exits on SIGINT, Jupyter's default way to interrupt.
 *
 * @module
 */

import { join } from "node:path";
import { discardDir, replaceDirAtomic } from "../lib/io/fs.ts";
import { LENSES_KERNELSPEC } from "./nbformat.ts";
import { PLOTLY_RESOURCE } from "../lib/display/figure.ts";
import { plotlyJs } from "./html/assets.ts";

/** The content of kernel.json. */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "message" | "signal";
  env?: Record<string, string>;
  metadata: Record<string, unknown>;
}

/**
 * The user's Jupyter data directory, as jupyter_core computes it: $JUPYTER_DATA_DIR, else
 * the platform's user data location.
 *
 * @example
 * ```ts
 * jupyterDataDir(); // "/home/me/.local/share/jupyter" on Linux
 * ```
 */
export function jupyterDataDir(env = Deno.env.toObject()): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  const home = env.HOME ?? env.USERPROFILE ?? ".";
  if (Deno.build.os === "darwin") return join(home, "Library", "Jupyter");
  if (Deno.build.os === "windows") {
    return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "jupyter");
  }
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "jupyter");
}

/**
 * The kernelspec for this checkout: the Deno running this code. The kernel finds the project's
 * deno.json by walking up from the notebook's folder (`deno jupyter` takes no `--config`), and
 * LENSES_* variables set where Jupyter starts reach it by inheritance.
 *
 * @example
 * ```ts
 * lensesKernelSpec().argv[1]; // "jupyter"
 * ```
 */
export function lensesKernelSpec(deno = Deno.execPath()): KernelSpec {
  return {
    argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: LENSES_KERNELSPEC.display_name,
    language: LENSES_KERNELSPEC.language,
    interrupt_mode: "message",
    metadata: { debugger: false },
  };
}

/**
 * Writes the kernelspec into `<dataDir>/kernels/lenses` (replacing an older one) and returns
 * that directory. The logos come from Deno's own kernelspec when Deno can write one; the bundled
 * plotly.js goes beside them, where a Jupyter server serves it to the figures' HTML fallback.
 *
 * @example
 * ```ts
 * const dir = await installKernelSpec();
 * ```
 */
export async function installKernelSpec(
  dataDir = jupyterDataDir(),
): Promise<string> {
  const dir = join(dataDir, "kernels", LENSES_KERNELSPEC.name);
  // Built aside and swapped in whole, so Jupyter never sees a half-written kernelspec.
  await replaceDirAtomic(dir, async (tmp) => {
    await Deno.writeTextFile(
      join(tmp, "kernel.json"),
      JSON.stringify(lensesKernelSpec(), null, 2) + "\n",
    );
    await copyDenoLogos(tmp);
    // Served by Jupyter at kernelspecs/lenses/plotly.min.js for the figures' HTML fallback.
    await Deno.writeTextFile(join(tmp, PLOTLY_RESOURCE.file), plotlyJs());
  });
  return dir;
}

/**
 * Removes the kernelspec; returns whether there was one.
 *
 * @example
 * ```ts
 * await uninstallKernelSpec(); // true
 * ```
 */
export async function uninstallKernelSpec(
  dataDir = jupyterDataDir(),
): Promise<boolean> {
  return await discardDir(join(dataDir, "kernels", LENSES_KERNELSPEC.name));
}

/**
 * Whether `command --version` runs and succeeds (e.g. "jupyter", "jupyter-nbconvert").
 *
 * @example
 * ```ts
 * if (!await hasCommand("jupyter")) console.log("pip install jupyterlab");
 * ```
 */
export async function hasCommand(command: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** Asks Deno to write its own kernelspec into a scratch directory and keeps its logos. */
async function copyDenoLogos(target: string): Promise<void> {
  const scratch = await Deno.makeTempDir({ prefix: "lenses-logos-" });
  try {
    await new Deno.Command(Deno.execPath(), {
      args: ["jupyter", "--install", "--name", "lenses-logos", "--force"],
      env: { HOME: scratch, XDG_DATA_HOME: scratch, JUPYTER_DATA_DIR: scratch },
      stdout: "null",
      stderr: "null",
    }).output();
    for await (const file of walkFiles(scratch)) {
      if (/logo-.*\.(png|svg)$/.test(file)) {
        const name = file.split(/[\\/]/).pop()!;
        await Deno.copyFile(file, join(target, name));
      }
    }
  } catch {
    // Logos are cosmetic; the kernelspec works without them.
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

async function* walkFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walkFiles(path);
    else if (entry.isFile) yield path;
  }
}
