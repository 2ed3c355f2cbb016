/**
 * Zip bombs for the upload tests, made in memory in milliseconds: raw DEFLATE of zeros, one
 * megabyte compressed once (about 1 KB) and repeated, in a zip with one entry that declares any
 * inflated size (an honest one, or a lie).
 */
import { constants, deflateRawSync } from 'node:zlib';

/** A zip whose one entry `name` inflates to `megabytes` MB of zeros and declares `declaredBytes`. */
export function zipBomb(name: string, megabytes: number, declaredBytes = megabytes * 1024 * 1024): Buffer {
  // sync-flushed blocks end on a byte boundary, so copies of one chain into a single stream; 03 00 is an empty final block
  const megabyte = deflateRawSync(Buffer.alloc(1024 * 1024), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const deflated = Buffer.concat([...Array<Buffer>(megabytes).fill(megabyte), Buffer.from([0x03, 0x00])]);
  const fileName = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(declaredBytes, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(declaredBytes, 24);
  central.writeUInt16LE(fileName.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(local.length + fileName.length + deflated.length, 16);
  return Buffer.concat([local, fileName, deflated, central, fileName, end]);
}
