/** TypeBox schemas the routes of several resources share. */
import { Type } from 'typebox';

/** One of the given words. */
export const oneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>(Type.Union(values.map((value) => Type.Literal(value))));
/** The schema, or null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** Metres or square metres rounded to the centimetre for people (null stays null). */
export const centimetres = <T extends number | null>(value: T): T => (value === null ? value : ((Math.round(value * 100) / 100) as T));

/** GeoJSON MultiPolygon in WGS84. */
export const MultiPolygon = Type.Object({
  type: Type.Literal('MultiPolygon'),
  coordinates: Type.Array(Type.Array(Type.Array(Type.Array(Type.Number())))),
});
