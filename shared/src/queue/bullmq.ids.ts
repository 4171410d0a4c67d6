// BullMQ rejects custom job ids that contain ':' or look like integers (they would clash
// with its own counter ids), see Job.validateOptions. Ids like "wa:123" or "42" come
// straight from platforms, so encode them reversibly and keep every other id readable.

const INTEGER_MARK = '%i';

export function toBullJobId(id: string): string {
  const escaped = id.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
  return `${Number.parseInt(escaped, 10)}` === escaped ? `${INTEGER_MARK}${escaped}` : escaped;
}

export function fromBullJobId(bullId: string): string {
  const body = bullId.startsWith(INTEGER_MARK) ? bullId.slice(INTEGER_MARK.length) : bullId;
  return body.replace(/%(25|3A)/g, (_, code: string) => (code === '25' ? '%' : ':'));
}
