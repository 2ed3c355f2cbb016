// @ts-check
/**
 * Where the officer stands relative to a case: distance and compass bearing from the device
 * position to the case's centre, on the sphere (plenty for walking distances).
 */

const earthRadiusM = 6371008.8;
const rad = Math.PI / 180;

/**
 * Centre of a case outline (GeoJSON MultiPolygon, WGS84): the area centroid of its largest part's
 * outer ring, in a local plane (cases are a few metres to a few hundred across).
 * @param {number[][][][]} coordinates
 * @returns {[number, number]}
 */
export function outlineCentre(coordinates) {
  let best = { area: -1, x: 0, y: 0 };
  for (const [ring] of coordinates) {
    let area = 0;
    let x = 0;
    let y = 0;
    const [lon0, lat0] = ring[0];
    for (let i = 0; i < ring.length - 1; i++) {
      const [ax, ay] = [ring[i][0] - lon0, ring[i][1] - lat0];
      const [bx, by] = [ring[i + 1][0] - lon0, ring[i + 1][1] - lat0];
      const cross = ax * by - bx * ay;
      area += cross;
      x += (ax + bx) * cross;
      y += (ay + by) * cross;
    }
    if (Math.abs(area) > best.area) best = { area: Math.abs(area), x: lon0 + x / (3 * area), y: lat0 + y / (3 * area) };
  }
  return [best.x, best.y];
}

/** Great-circle distance in metres. @param {[number, number]} from @param {[number, number]} to */
export function distanceM(from, to) {
  const dLat = (to[1] - from[1]) * rad;
  const dLon = (to[0] - from[0]) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(from[1] * rad) * Math.cos(to[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadiusM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Initial bearing in degrees clockwise from north (0–360). @param {[number, number]} from @param {[number, number]} to */
export function bearingDeg(from, to) {
  const dLon = (to[0] - from[0]) * rad;
  const y = Math.sin(dLon) * Math.cos(to[1] * rad);
  const x = Math.cos(from[1] * rad) * Math.sin(to[1] * rad) - Math.sin(from[1] * rad) * Math.cos(to[1] * rad) * Math.cos(dLon);
  return (Math.atan2(y, x) / rad + 360) % 360;
}

/** One of the eight compass points for a bearing (a message key: `compass.n`, `compass.ne`, …). @param {number} degrees */
export function compassPoint(degrees) {
  return `compass.${['n', 'ne', 'e', 'se', 's', 'sw', 'w', 'nw'][Math.round(degrees / 45) % 8]}`;
}
