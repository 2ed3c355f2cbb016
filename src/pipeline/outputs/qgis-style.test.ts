import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { violationLabels } from '../../export/labels.js';
import { requirePythonModule, systemPython } from '../../test-support/tools.js';
import { VIOLATIONS } from '../../vocabulary.js';
import { suspectsStyle } from './qgis-style.js';

const hasPython = requirePythonModule('xml.etree.ElementTree');

/** The renderer's rules and the fill colours of their symbols, as a real XML parser (python's) reads the style. */
function parsedRules(qml: string): { label: string; filter: string; colour: string }[] {
  const script = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
renderer = root.find('renderer-v2')
assert renderer.get('type') == 'RuleRenderer'
colours = {s.get('name'): s.find("layer/Option/Option[@name='color']").get('value') for s in renderer.find('symbols')}
print(json.dumps([{'label': r.get('label'), 'filter': r.get('filter'), 'colour': colours[r.get('symbol')]} for r in renderer.find('rules')]))
`;
  return JSON.parse(execFileSync(systemPython, ['-c', script], { input: qml, encoding: 'utf8' }));
}

describe('suspectsStyle', () => {
  it.runIf(hasPython)('parses as XML with one rule per violation, labelled in Chinese as the exports label it, each in its own colour', () => {
    const rules = parsedRules(suspectsStyle());
    expect(rules.map(({ label }) => label)).toEqual(VIOLATIONS.map((violation) => violationLabels[violation]));
    expect(rules.map(({ filter }) => filter)).toEqual(VIOLATIONS.map((violation) => `"violation" = '${violation}'`));
    expect(new Set(rules.map(({ colour }) => colour)).size).toBe(VIOLATIONS.length);
    expect(rules[0]).toEqual({ label: '无证建设', filter: `"violation" = 'no_permit'`, colour: '215,25,28,85' });
  });
});
