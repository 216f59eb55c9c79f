/**
 * Email templates: Handlebars files in ./templates, one `<name>.html.hbs` and one `<name>.txt.hbs`
 * per email, compiled once on first use. HTML templates escape every value; text templates do
 * not (plain text needs no escaping). `layout.html.hbs` wraps every HTML body.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

export const TEMPLATE_DIR = path.join(__dirname, 'templates');

export type EmailTemplateName = 'approval-notice' | 'stylist-brief' | 'stylist-stand-down' | 'customer-confirmation' | 'process-notice' | 'campaign';

export interface RenderedEmail {
  html: string;
  text: string;
}

type Compiled = { html: Handlebars.TemplateDelegate; text: Handlebars.TemplateDelegate };

let compiled: Map<string, Compiled> | null = null;

function load(): Map<string, Compiled> {
  if (compiled) return compiled;
  const hbs = Handlebars.create();
  const files = readdirSync(TEMPLATE_DIR);
  const read = (file: string) => readFileSync(path.join(TEMPLATE_DIR, file), 'utf8');
  for (const file of files.filter((f) => f.startsWith('_'))) {
    // _layout.html.hbs is the partial `layout`, _text-store-footer.hbs `text-store-footer`.
    hbs.registerPartial(file.replace(/^_/, '').replace(/(\.html)?\.hbs$/, ''), read(file));
  }
  const byName = new Map<string, Compiled>();
  for (const file of files.filter((f) => f.endsWith('.html.hbs') && !f.startsWith('_'))) {
    const name = file.slice(0, -'.html.hbs'.length);
    byName.set(name, {
      html: hbs.compile(read(file), { strict: true }),
      text: hbs.compile(read(`${name}.txt.hbs`), { noEscape: true, strict: true }),
    });
  }
  compiled = byName;
  return byName;
}

/** Collapses the blank-line runs optional template sections leave in plain text. */
function tidyText(text: string): string {
  return `${text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

export function renderEmail(name: EmailTemplateName, data: object): RenderedEmail {
  const t = load().get(name);
  if (!t) throw new Error(`No email template named ${name} in ${TEMPLATE_DIR}.`);
  return { html: t.html(data), text: tidyText(t.text(data)) };
}
