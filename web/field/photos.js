// @ts-check
/**
 * Photos for a verdict, made small before they are kept and sent: a phone camera's 4000 px,
 * 5 MB JPEG becomes at most 1600 px on its long side at JPEG quality 0.8 (a few hundred KB),
 * which still shows a wall, a roof or a door number clearly.
 */

const longSidePx = 1600;

/** A JPEG of `file` at most `longSidePx` on its long side. @param {File} file @returns {Promise<Blob>} */
export async function shrinkPhoto(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, longSidePx / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')).drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error(`${file.name}: cannot be read as an image`))), 'image/jpeg', 0.8));
}
