import { describe, expect, it } from 'vitest';
import { evaluateBuildings, type EvalBuilding } from './buildings.js';

/** A square building at (x, y) of side `side` metres, legal, flat, 3 floors at 9.6 m unless told. */
function building(x: number, y: number, side: number, more: Partial<EvalBuilding> = {}): EvalBuilding {
  return {
    polygons: [[[[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]]],
    roofHeightM: 9.6,
    floors: 3,
    roofForm: 'flat',
    legality: 'legal',
    violation: 'none',
    ...more,
  };
}

describe('evaluateBuildings', () => {
  it('scores the truth against itself as perfect', () => {
    const truth = [building(0, 0, 10, { use: 'house' }), building(20, 0, 8, { use: 'shed', roofHeightM: 2.8, floors: 1 })];
    const report = evaluateBuildings(truth, truth);
    expect(report).toMatchObject({ truth: 2, predicted: 2, matched: 2, recall: 1, precision: 1, medianIou: 1, medianHeightErrorM: 0, floorsRight: 1, roofFormRight: 1 });
    expect(report.byUse.shed).toMatchObject({ truth: 1, found: 1, recall: 1 });
    expect(report.violations).toMatchObject({ suspectsMatched: 0, legalMatched: 2, legalFlagged: 0, legalFlaggedShare: 0 });
  });

  it('matches only at IoU 0.5 or more, one to one, and measures what matched', () => {
    const truth = [building(0, 0, 10), building(30, 0, 10), building(60, 0, 10)];
    const survey = [
      building(1, 0, 10, { roofHeightM: 9.9, floors: 4 }), // IoU 0.82
      building(1.5, 0, 10), // a second outline on the first building: no match left, a false building
      building(36, 0, 10), // IoU 0.25: not the building at 30
    ];
    const report = evaluateBuildings(truth, survey);
    expect(report).toMatchObject({ truth: 3, predicted: 3, matched: 1, floorsRight: 0 });
    expect(report.recall).toBeCloseTo(1 / 3, 10);
    expect(report.precision).toBeCloseTo(1 / 3, 10);
    expect(report.medianIou).toBeCloseTo(90 / 110, 10);
    expect(report.medianHeightErrorM).toBeCloseTo(0.3, 10);
  });

  it('leaves out truth below the survey thresholds, and the survey buildings matching it', () => {
    const truth = [building(0, 0, 10), building(20, 0, 2, { unscored: true })];
    const report = evaluateBuildings(truth, [building(0, 0, 10), building(20, 0, 2)]);
    expect(report).toMatchObject({ truth: 1, predicted: 1, matched: 1, recall: 1, precision: 1 });
  });

  it('counts violation types of matched suspects, illegal buildings flagged and legal buildings flagged', () => {
    const truth = [
      building(0, 0, 10, { legality: 'suspect', violation: 'no_permit' }),
      building(20, 0, 10, { legality: 'suspect', violation: 'exceeds_permitted_height' }),
      building(40, 0, 10, { legality: 'suspect', violation: 'outside_permitted_footprint' }),
      building(60, 0, 10),
      building(80, 0, 10),
    ];
    const survey = [
      building(0, 0, 10, { legality: 'suspect', violation: 'no_permit' }),
      building(20, 0, 10, { legality: 'suspect', violation: 'no_permit' }),
      building(40, 0, 10),
      building(60, 0, 10, { legality: 'suspect', violation: 'exceeds_permitted_height' }),
      building(80, 0, 10),
    ];
    expect(evaluateBuildings(truth, survey).violations).toEqual({
      suspectsMatched: 3,
      violationCorrect: 1,
      violationAccuracy: 1 / 3,
      illegalMatched: 3,
      illegalFlagged: 2,
      illegalRecall: 2 / 3,
      legalMatched: 2,
      legalFlagged: 1,
      legalFlaggedShare: 0.5,
      confusions: { 'exceeds_permitted_height → no_permit': 1, 'none → exceeds_permitted_height': 1 },
    });
  });

  it('says why buildings were missed and why survey buildings matched nothing', () => {
    const truth = [
      building(0, 0, 10), // merged with the next one
      building(10.5, 0, 10),
      building(30, 0, 10), // split in three
      building(50, 0, 10), // outline too far off
      building(70, 0, 10), // not found
      building(90, 0, 10),
    ];
    const strip = (x0: number, x1: number): EvalBuilding => ({ ...building(0, 0, 1), polygons: [[[[x0, 0], [x1, 0], [x1, 10], [x0, 10], [x0, 0]]]] });
    const survey = [
      strip(0, 20.5),
      strip(30, 33.5),
      strip(33.5, 36.5),
      strip(36.5, 40),
      building(54, 0, 10),
      building(90, 0, 10),
      building(90, 20, 6), // a tree crown
    ];
    const report = evaluateBuildings(truth, survey);
    expect(report.matched).toBe(1);
    expect(report.byUse.unknown.missed).toEqual({ merged: 2, split: 1, outline_off: 1, not_found: 1 });
    expect(report.falseBuildings).toEqual({ part_of_a_building: 4, several_buildings: 1, no_building: 1 });
  });

  it('has no violation scores for a survey not judged against plans', () => {
    const truth = [building(0, 0, 10)];
    expect(evaluateBuildings(truth, [building(0, 0, 10, { legality: null, violation: null })]).violations).toBeUndefined();
  });
});
