import { afterEach, describe, expect, it, vi } from 'vitest';
import { startStage } from './progress.js';

describe('progress written to a log', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the share of the work done, not the tenth below it', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => lines.push(String(text)) > 0);
    const candidates = startStage('evidence', 14, 'candidates');
    candidates.tick();
    const blocks = startStage('overlay', 4, 'blocks');
    blocks.tick(3);
    expect(lines).toEqual(['evidence: 1/14 candidates (7%)\n', 'overlay: 3/4 blocks (75%)\n']);
  });
});
