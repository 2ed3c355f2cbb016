// @ts-check
/**
 * The device position, watched while the page is open (GPS on a phone). Listeners hear every fix;
 * `currentPosition` gives the latest one, waiting a little for the first.
 */

/** @type {[number, number] | null} */
let latest = null;
/** @type {string | null} */
let failure = null;
/** @type {Set<(position: [number, number] | null, failure: string | null) => void>} */
const listeners = new Set();

if ('geolocation' in navigator) {
  navigator.geolocation.watchPosition(
    (fix) => {
      latest = [fix.coords.longitude, fix.coords.latitude];
      failure = null;
      listeners.forEach((listener) => listener(latest, null));
    },
    (error) => {
      failure = error.message;
      listeners.forEach((listener) => listener(latest, failure));
    },
    { enableHighAccuracy: true, maximumAge: 10_000, timeout: 20_000 },
  );
} else failure = 'no geolocation';

/** Calls `listener` now and at every fix or failure. @param {(position: [number, number] | null, failure: string | null) => void} listener */
export function watchDevicePosition(listener) {
  listeners.add(listener);
  listener(latest, failure);
}

/** The latest fix, waiting up to `waitMs` for a first one; null when there is none. @param {number} waitMs @returns {Promise<[number, number] | null>} */
export function currentPosition(waitMs) {
  if (latest || failure) return Promise.resolve(latest);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(latest), waitMs);
    listeners.add(function first(position) {
      if (!position) return;
      clearTimeout(timer);
      listeners.delete(first);
      resolve(position);
    });
  });
}
