/**
 * Who the check took as holding personal data, and why, for the reports: one compact line for the
 * text summary (cut with "… N more" to stay within two terminal lines), the same list for HTML,
 * JSON (`summary.personalData`) and SARIF (run properties). Pure.
 */
import type { PersonalDataHolder } from '../engine.js';

export const NO_PERSONAL_DATA = 'no workload taken as holding personal data: label workloads ward.g2p.dev/personal-data=true or use --profile openg2p-audit';

const SECTIONS: readonly [PersonalDataHolder['by'], string][] = [['label', 'by label'], ['component', 'by RegistryDeployment'], ['image', 'by image']];

/** `sr-odoo`, or `sr/sr-odoo` when the holders are in several namespaces. */
function namer(holders: readonly PersonalDataHolder[]): (h: PersonalDataHolder) => string {
  const several = new Set(holders.map((h) => h.workload.namespace)).size > 1;
  return (h) => (several && h.workload.namespace ? `${h.workload.namespace}/${h.workload.name}` : h.workload.name);
}

/** The holders of one section, grouped by what was recognised (first appearance first). */
function groups(holders: readonly PersonalDataHolder[]): PersonalDataHolder[][] {
  const map = new Map<string, PersonalDataHolder[]>();
  for (const h of holders) map.set(h.what, [...(map.get(h.what) ?? []), h]);
  return [...map.values()];
}

/**
 * `personal data (raises severities): 9 workloads — by image: sr-odoo (Odoo), sr-postgresql,
 * sr-keymanager-postgresql (PostgreSQL) …; by label: …`, at most `room` characters (the rest
 * counted as "… N more"); the one-line notice when there is none.
 */
export function personalDataLine(holders: readonly PersonalDataHolder[], room: number): string {
  if (holders.length === 0) return NO_PERSONAL_DATA;
  const name = namer(holders);
  let out = `personal data (raises severities): ${String(holders.length)} workload${holders.length === 1 ? '' : 's'} —`;
  let shown = 0;
  for (const [by, label] of SECTIONS) {
    let lead = `${shown > 0 ? ';' : ''} ${label}: `;
    for (const group of groups(holders.filter((h) => h.by === by))) {
      const suffix = by === 'label' ? '' : ` (${group[0]?.what ?? ''})`;
      let names = '';
      for (const h of group) {
        const next = `${names}${names ? ', ' : ''}${name(h)}`;
        const more = holders.length - shown - 1;
        if (out.length + lead.length + next.length + suffix.length + (more > 0 ? ` … ${String(more)} more`.length : 0) > room) {
          return `${out}${names ? `${lead}${names}${suffix}` : ''} … ${String(holders.length - shown)} more`;
        }
        names = next;
        shown++;
      }
      out += `${lead}${names}${suffix}`;
      lead = ', ';
    }
  }
  return out;
}
