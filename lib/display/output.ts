/**
 * The display primitive: one MIME bundle (with metadata and an optional display id) shown in
 * Deno's Jupyter kernel, or printed sensibly by a plain `deno run` script.
 *
 * Every `show*` function in lenses builds an {@link Output} and hands it to {@link display},
 * which returns it, so tests and scripts can inspect exactly what a notebook would receive.
 *
 * @module
 */

/** A Jupyter MIME bundle: MIME type to data (strings, or JSON objects for JSON types). */
export type MimeBundle = Record<string, string | object>;

/** What one display call sends: the bundle, its metadata, and the display id if any. */
export interface Output {
  /** MIME type → data. Always holds `text/plain`. */
  data: MimeBundle;
  /** Output metadata (e.g. `lenses.claims`), stored by Jupyter beside the data. */
  metadata: Record<string, unknown>;
  /** Display id, present when the output can be updated in place. */
  displayId?: string;
}

/** Options of {@link display}. */
export interface DisplayOptions {
  /** Metadata stored with the output in the notebook. */
  metadata?: Record<string, unknown>;
  /** Id under which the output can later be replaced with `update: true`. */
  displayId?: string;
  /** Replace the output shown earlier under `displayId` instead of adding one. */
  update?: boolean;
}

/** The part of `Deno.jupyter` lenses uses. */
export type JupyterApi = Pick<typeof Deno.jupyter, "broadcast">;

/**
 * Deno's Jupyter API when this code runs inside `deno jupyter --kernel`, else `undefined`.
 *
 * `Deno.jupyter` is declared in Deno's default types, but its getter throws outside the kernel,
 * so it has to be probed rather than tested with `in`.
 *
 * @example
 * ```ts
 * if (jupyterApi()) console.log("running in a notebook");
 * ```
 */
export function jupyterApi(): JupyterApi | undefined {
  try {
    const api = Deno.jupyter;
    return typeof api?.broadcast === "function" ? api : undefined;
  } catch {
    return undefined;
  }
}

/** MIME type of plotly figures, rendered natively by VS Code and by jupyterlab-plotly. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/**
 * Shows `data` and returns what was shown.
 *
 * Inside the kernel the bundle goes out as `display_data` (or `update_display_data` when
 * `update` is set). Outside it, `text/plain` is printed to stdout; a plotly figure is opened
 * in the browser with nodeplotlib when stdout is a terminal (an interactive script), and an
 * image prints its text description, since a terminal cannot show a PNG.
 *
 * @example
 * ```ts
 * const out = await display(
 *   { "text/plain": "hello", "text/html": "<b>hello</b>" },
 *   { metadata: { "lenses.note": 1 } },
 * );
 * out.data["text/html"]; // "<b>hello</b>"
 * ```
 */
export async function display(
  data: MimeBundle,
  options: DisplayOptions = {},
): Promise<Output> {
  if (typeof data["text/plain"] !== "string") {
    throw new Error(
      "display: the bundle has no text/plain entry; every lenses output needs one so it " +
        "degrades to text (add a short description under 'text/plain').",
    );
  }
  if (options.update && options.displayId === undefined) {
    throw new Error(
      "display: update needs the displayId of the output to replace; pass { displayId, update: true }.",
    );
  }
  const output: Output = { data, metadata: options.metadata ?? {} };
  if (options.displayId !== undefined) output.displayId = options.displayId;
  // A cell ending in `await showX(...)` would otherwise print this object a second time as
  // its execute_result; Deno's kernel shows nothing for an empty display bundle.
  Object.defineProperty(output, Symbol.for("Jupyter.display"), {
    value: () => ({}),
    enumerable: false,
  });
  const api = jupyterApi();
  if (api) {
    await api.broadcast(
      options.update ? "update_display_data" : "display_data",
      {
        data,
        metadata: output.metadata,
        transient: options.displayId === undefined ? {} : { display_id: options.displayId },
      },
    );
  } else if (data[PLOTLY_MIME] !== undefined && Deno.stdout.isTerminal()) {
    await openInBrowser(data[PLOTLY_MIME]);
  } else {
    console.log(data["text/plain"]);
  }
  return output;
}

/** Opens a plotly figure with nodeplotlib, loaded only here: it starts a web server. */
async function openInBrowser(figure: string | object): Promise<void> {
  const { plot } = await import("nodeplotlib");
  const { data, layout } = figure as {
    data: Parameters<typeof plot>[0];
    layout?: Parameters<typeof plot>[1];
  };
  plot(data, layout);
}

let displayCounter = 0;
// Ids must not collide with those of an earlier kernel whose outputs are still on the page.
const processTag = crypto.randomUUID().slice(0, 8);

/**
 * A display id unique to this process, for outputs that are updated in place.
 *
 * @example
 * ```ts
 * const id = newDisplayId("progress"); // e.g. "lenses-progress-1f3a9c02-1"
 * ```
 */
export function newDisplayId(kind: string): string {
  displayCounter += 1;
  return `lenses-${kind}-${processTag}-${displayCounter}`;
}
