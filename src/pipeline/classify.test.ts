import { describe, expect, it } from 'vitest';
import { classifyRegion, type RegionFacts } from './classify.js';
import { defaultThresholds } from './thresholds.js';

const house: RegionFacts = { areaM2: 120, heightChangeM: 9, heightBeforeM: 0.1, heightAfterM: 9.1, confidence: 0.8, attachedShare: 0, roughShare: 0.05, greenShare: 0.02, lengthM: 12, widthM: 10, topPlaneResidualM: 0.1 };

describe('classifyRegion', () => {
  it('calls a tall structure on open ground a new building', () => {
    expect(classifyRegion(house, defaultThresholds).kind).toBe('new_building');
  });

  it('calls a low small structure on open ground a ground structure', () => {
    expect(classifyRegion({ ...house, areaM2: 18, heightChangeM: 2.8, heightAfterM: 2.9 }, defaultThresholds).kind).toBe('ground_structure');
  });

  it('calls a rise against an existing building an extension', () => {
    expect(classifyRegion({ ...house, areaM2: 30, attachedShare: 0.4 }, defaultThresholds).kind).toBe('extension');
  });

  it('tells a rooftop shed from added floors by the area on the roof', () => {
    const onRoof = { ...house, heightBeforeM: 9, heightChangeM: 3, heightAfterM: 12 };
    expect(classifyRegion({ ...onRoof, areaM2: 15 }, defaultThresholds).kind).toBe('rooftop_addition');
    expect(classifyRegion({ ...onRoof, areaM2: 110 }, defaultThresholds).kind).toBe('height_increase');
  });

  it('calls a fall a demolition', () => {
    expect(classifyRegion({ ...house, heightChangeM: -8, heightBeforeM: 8, heightAfterM: 0 }, defaultThresholds)).toMatchObject({
      kind: 'demolition',
      reason: 'surface fell 8.0 m',
    });
  });

  it('rejects regions below the minimum area, and small height changes the orthophotos do not confirm', () => {
    expect(classifyRegion({ ...house, areaM2: 3 }, defaultThresholds)).toEqual({ kind: null, reason: 'smaller than 4 m²', rule: 'smaller than 4 m²' });
    const van = { ...house, areaM2: 12, heightChangeM: 2.6, heightAfterM: 2.6, confidence: 0.01, lengthM: 5.5, widthM: 2.2 };
    expect(classifyRegion(van, defaultThresholds).kind).toBeNull();
    expect(classifyRegion({ ...van, confidence: 0.6 }, defaultThresholds).kind).toBe('ground_structure');
    expect(classifyRegion({ ...van, areaM2: 5, lengthM: 2.5, widthM: 2.2 }, defaultThresholds).kind).toBeNull();
  });

  it('keeps a steel shed the DSM confirms although the model does not see it, but not a vehicle of its size', () => {
    // 8-13 m², 2.4-3 m high: squarish, where a van or truck is narrow and long
    const shed = { ...house, areaM2: 10.5, heightChangeM: 2.5, heightAfterM: 2.6, confidence: 0.03, lengthM: 3.5, widthM: 3 };
    expect(classifyRegion(shed, defaultThresholds).kind).toBe('ground_structure');
    expect(classifyRegion({ ...shed, areaM2: 12.6, lengthM: 4.5, widthM: 2.8 }, defaultThresholds).kind).toBe('ground_structure');
    const truck = { ...shed, areaM2: 12.2, heightChangeM: 3, lengthM: 5.3, widthM: 2.3 };
    expect(classifyRegion(truck, defaultThresholds)).toMatchObject({ kind: null, reason: expect.stringContaining('vehicle-sized') });
    // a box truck of 20 m² too; one the model sees as built stays
    expect(classifyRegion({ ...truck, areaM2: 20.5, lengthM: 8.3, widthM: 2.5, heightChangeM: 3.4 }, defaultThresholds).kind).toBeNull();
    expect(classifyRegion({ ...truck, confidence: 0.9 }, defaultThresholds).kind).toBe('ground_structure');
    // without orthophotos heights cannot tell a truck from a narrow shed: taken for a vehicle
    expect(classifyRegion({ ...truck, confidence: null }, defaultThresholds)).toMatchObject({ kind: null, reason: expect.stringContaining('no orthophotos') });
    expect(classifyRegion({ ...shed, confidence: null }, defaultThresholds).kind).toBe('ground_structure');
  });

  it('names each rejection by its rule: the thresholds it used, without the region’s measurements', () => {
    const truck = { ...house, areaM2: 12.2, heightChangeM: 3, heightAfterM: 3.1, confidence: 0.03, lengthM: 5.3, widthM: 2.3 };
    expect(classifyRegion(truck, defaultThresholds)).toEqual({
      kind: null,
      reason: 'vehicle-sized rise (5.3 × 2.3 m): the orthophotos do not show it as built (confidence 0.03)',
      rule: `vehicle-sized rise: the orthophotos do not show it as built (confidence under ${defaultThresholds.minConfidence})`,
    });
    expect(classifyRegion({ ...truck, confidence: null }, defaultThresholds)).toMatchObject({ rule: 'vehicle-sized rise: no orthophotos to tell it from a narrow shed' });
  });

  it('rejects tree crowns of every kind: a rough surface, or a green and somewhat rough one', () => {
    const crownOnCrown = { ...house, areaM2: 14, heightBeforeM: 7, heightChangeM: 2.3, heightAfterM: 9.3, confidence: 0, roughShare: 0.8, greenShare: 0.9, lengthM: 4, widthM: 3.5 };
    expect(classifyRegion(crownOnCrown, defaultThresholds)).toMatchObject({ kind: null, reason: expect.stringContaining('vegetation') });
    expect(classifyRegion({ ...crownOnCrown, heightBeforeM: 0.3, attachedShare: 0.5 }, defaultThresholds).kind).toBeNull();
    expect(classifyRegion({ ...crownOnCrown, heightChangeM: -2.4 }, defaultThresholds).kind).toBeNull();
    expect(classifyRegion({ ...crownOnCrown, roughShare: 0.3, greenShare: null }, defaultThresholds).kind).toBe('rooftop_addition');
    expect(classifyRegion({ ...crownOnCrown, roughShare: 0.3 }, defaultThresholds).kind).toBeNull();
    // a rough top the model sees as built and that is not green: a column frame under construction
    const frame = { ...house, areaM2: 33, heightChangeM: 3.3, heightAfterM: 3.4, confidence: 0.89, roughShare: 0.88, greenShare: 0.01, topPlaneResidualM: 0.55, lengthM: 10.5, widthM: 6.7 };
    expect(classifyRegion(frame, defaultThresholds).kind).toBe('ground_structure');
    expect(classifyRegion({ ...frame, confidence: 0.05 }, defaultThresholds).kind).toBeNull();
    expect(classifyRegion({ ...frame, confidence: null }, defaultThresholds).kind).toBeNull();
    // a green steel shed is smooth
    const greenShed = { ...house, areaM2: 11, heightChangeM: 2.7, heightAfterM: 2.8, confidence: 0.05, roughShare: 0.02, greenShare: 0.95, lengthM: 3.6, widthM: 3.1 };
    expect(classifyRegion(greenShed, defaultThresholds).kind).toBe('ground_structure');
  });

  it('rejects a shed-sized rise whose top is no plane, and a slender surface that fell, as crowns', () => {
    const dome = { ...house, areaM2: 17.6, heightChangeM: 3.1, heightAfterM: 3.3, confidence: null, roughShare: 0.45, lengthM: 6.8, widthM: 4.4, topPlaneResidualM: 0.8 };
    expect(classifyRegion(dome, defaultThresholds)).toMatchObject({ kind: null, reason: expect.stringContaining('off a plane') });
    expect(classifyRegion({ ...dome, topPlaneResidualM: 0.15 }, defaultThresholds).kind).toBe('ground_structure');
    // a house's gable roof is no plane either, but a house is taller than a shed
    expect(classifyRegion({ ...dome, heightChangeM: 7, heightAfterM: 7, topPlaneResidualM: 0.9 }, defaultThresholds).kind).toBe('new_building');
    // nor is a pitched roof added over part of a flat one
    expect(classifyRegion({ ...dome, areaM2: 35, heightBeforeM: 9.6, heightChangeM: 4.3, heightAfterM: 13.9, roughShare: 0.22, topPlaneResidualM: 0.79 }, defaultThresholds).kind).toBe('rooftop_addition');
    const vanished = { ...house, areaM2: 6.6, heightChangeM: -6.6, heightBeforeM: 8.5, heightAfterM: 1.9, confidence: null, lengthM: 3.6, widthM: 2.5 };
    expect(classifyRegion(vanished, defaultThresholds)).toMatchObject({ kind: null, reason: expect.stringContaining('fell') });
    expect(classifyRegion({ ...vanished, heightChangeM: -2.6, heightBeforeM: 2.6 }, defaultThresholds).kind).toBe('demolition');
    // a van that left, seen by heights alone
    expect(classifyRegion({ ...vanished, areaM2: 8.2, heightChangeM: -2.6, heightBeforeM: 2.6, lengthM: 5.9, widthM: 1.5 }, defaultThresholds).kind).toBeNull();
  });

  it('keeps small changes the model does not see when they are taller than a vehicle or built against a building', () => {
    const unseen = { ...house, areaM2: 13, heightChangeM: 6.4, heightAfterM: 6.4, confidence: 0.02 };
    expect(classifyRegion(unseen, defaultThresholds).kind).toBe('new_building');
    expect(classifyRegion({ ...unseen, heightChangeM: 3.2, heightAfterM: 3.2, attachedShare: 0.3 }, defaultThresholds).kind).toBe('extension');
    expect(classifyRegion({ ...unseen, heightChangeM: 3.2, heightAfterM: 3.2, lengthM: 5.9, widthM: 2.2 }, defaultThresholds).kind).toBeNull();
    expect(classifyRegion({ ...unseen, heightChangeM: -6.2, heightBeforeM: 6.5, heightAfterM: 0.3, attachedShare: 0.3 }, defaultThresholds).kind).toBeNull();
  });

  it('keeps a large height change even when the model does not see it', () => {
    expect(classifyRegion({ ...house, confidence: 0.01 }, defaultThresholds).kind).toBe('new_building');
  });

  it('keeps height-only findings without a model confidence (DSM-only runs)', () => {
    expect(classifyRegion({ ...house, confidence: null }, defaultThresholds).kind).toBe('new_building');
  });
});
