/**
 * Parsers for command-line option values, shared by the subcommands.
 */
import { InvalidArgumentError } from 'commander';

/** A finite number. */
export function parseNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError(`"${value}" is not a number`);
  return number;
}

/** A whole number of at least 1. */
export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return number;
}

/** A whole number of at least 0. */
export function parseWholeNumber(value: string): number {
  const number = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(number)) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return number;
}
