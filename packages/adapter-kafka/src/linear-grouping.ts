/** kafkajs' grouping reducer: `(groups, message) => Object.assign(groups, { [partition]: [...current, message] })`. */
type GroupingReducer = (groups: Record<string, unknown[]>, message: unknown) => Record<string, unknown[]>;

/**
 * Makes `records` (the messages of one topic handed to kafkajs' `producer.sendBatch`) group per partition in
 * linear time, and returns it. kafkajs 2.2.4 groups a request's messages with
 * `messages.reduce((groups, m) => Object.assign(groups, { [p]: [...groups[p], m] }), {})` (`producer/
 * groupMessagesPerPartition.js`): a new array per record, quadratic in the records of a partition — with the
 * adapter's own record encoding it was the largest client cost of a produce request (≈1.4 µs per record and
 * most of the garbage at 500 records). `records` gets its own `reduce`, which asks kafkajs' reducer for each
 * record's group alone (`reducer({}, record)`) and appends the record to that group — the same groups, in the same order, in linear time (the partitioner runs once per
 * record, and once more per request for a check). kafkajs calls `reduce` on these
 * arrays for this grouping only (2.2.4 is pinned; `test/linear-grouping.test.ts` compares the result with
 * kafkajs' own function). Other array methods are untouched.
 */
export function withLinearGrouping<T>(records: T[]): T[] {
  Object.defineProperty(records, 'reduce', { value: groupReduce, configurable: true, writable: true });
  return records;
}

/**
 * `Array.prototype.reduce` for kafkajs' grouping reducer: each record's group alone (`reducer({}, record)`), the
 * record appended to the group gathered so far; the groups go into `initial` at the end, as kafkajs' reducer
 * puts them. Checked as it goes: a reducer whose result for a record is not one group of just that record, or
 * (asked once, at the first record joining a group) whose result for `{ [p]: [earlier] }` is not
 * `[earlier, record]`, is not kafkajs' grouping — then this is a plain `reduce` on a copy, `initial` untouched.
 */
function groupReduce(this: unknown[], ...args: [GroupingReducer, Record<string, unknown[]>?]) {
  const [reducer, initial] = args;
  if (args.length !== 2 || typeof initial !== 'object' || initial === null) {
    return Array.prototype.reduce.apply(this, args as never);
  }
  const groups: Record<string, unknown[]> = {};
  let appendChecked = false;
  for (let i = 0; i < this.length; i++) {
    const record = this[i];
    const alone = reducer({}, record);
    const partition = soleGroupOf(alone, record);
    if (partition === undefined) return this.slice().reduce(reducer as never, initial);
    const group = groups[partition];
    if (group === undefined) {
      groups[partition] = alone[partition]!;
      continue;
    }
    if (!appendChecked) {
      const earlier = group[group.length - 1];
      const both = reducer({ [partition]: [earlier] }, record)[partition];
      if (!Array.isArray(both) || both.length !== 2 || both[0] !== earlier || both[1] !== record) {
        return this.slice().reduce(reducer as never, initial);
      }
      appendChecked = true;
    }
    group.push(record);
  }
  return Object.assign(initial, groups);
}

/** The one key of `alone` when it holds exactly `[record]` and nothing else, else undefined. */
function soleGroupOf(alone: Record<string, unknown[]>, record: unknown): string | undefined {
  if (typeof alone !== 'object' || alone === null) return undefined;
  let sole: string | undefined;
  for (const key in alone) {
    if (sole !== undefined) return undefined;
    sole = key;
  }
  if (sole === undefined) return undefined;
  const group = alone[sole];
  return Array.isArray(group) && group.length === 1 && group[0] === record ? sole : undefined;
}
