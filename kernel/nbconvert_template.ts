/**
 * The `lenses` nbconvert template: JupyterLab's HTML template with the bundled plotly.js in the
 * page head, so `jupyter nbconvert --to html --template lenses NOTEBOOK` makes a page whose
 * figures draw offline. Without it a page nbconvert writes, opened from disk, has no plotly.js
 * and no Jupyter server to fetch it from, and shows each figure's text summary.
 *
 * @module
 */

import { join } from "node:path";
import { discardDir, replaceDirAtomic } from "../lib/io/fs.ts";
import { plotlyJs } from "./html/assets.ts";
import { inlineScript } from "./html/page.ts";
import { jupyterDataDir } from "./kernelspec.ts";

/** The template's name, as given to `--template`. */
export const NBCONVERT_TEMPLATE = "lenses";

/**
 * Writes the template into `<dataDir>/nbconvert/templates/lenses` (replacing an older one), where
 * nbconvert looks for templates, and returns that directory.
 *
 * @example
 * ```ts
 * await installNbconvertTemplate(); // then: jupyter nbconvert --to html --template lenses x.ipynb
 * ```
 */
export async function installNbconvertTemplate(dataDir = jupyterDataDir()): Promise<string> {
  const dir = templateDir(dataDir);
  await replaceDirAtomic(dir, async (tmp) => {
    await Deno.writeTextFile(
      join(tmp, "conf.json"),
      JSON.stringify({ base_template: "lab", mimetypes: { "text/html": true } }, null, 2) + "\n",
    );
    await Deno.writeTextFile(join(tmp, "index.html.j2"), indexTemplate(plotlyJs()));
  });
  return dir;
}

/**
 * Removes the template; returns whether there was one.
 *
 * @example
 * ```ts
 * await uninstallNbconvertTemplate(); // true
 * ```
 */
export async function uninstallNbconvertTemplate(dataDir = jupyterDataDir()): Promise<boolean> {
  return await discardDir(templateDir(dataDir));
}

function templateDir(dataDir: string): string {
  return join(dataDir, "nbconvert", "templates", NBCONVERT_TEMPLATE);
}

/**
 * The lab template with plotly.js appended to its head scripts. The library is a Jinja raw block
 * (its text is never read as template syntax), in the script element the report pages use, and
 * runs with `define` hidden: the lab template loads require.js first, under which a UMD bundle
 * registers an anonymous AMD module instead of setting `window.Plotly`.
 */
function indexTemplate(plotly: string): string {
  if (plotly.includes("endraw")) {
    throw new Error("plotly.min.js contains `endraw`, which would end the template's raw block");
  }
  const script = inlineScript(
    `if(!window.Plotly){(function(define,module,exports){\n${plotly}\n}).call(window);}`,
  );
  return `{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}
{{ super() }}
{% raw %}${script}{% endraw %}
{%- endblock html_head_js -%}
`;
}
