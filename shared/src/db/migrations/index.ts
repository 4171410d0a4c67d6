import type { Migration } from 'kysely';
import * as m001 from './001_core';
import * as m002 from './002_ingest';
import * as m003 from './003_crm';
import * as m004 from './004_live';
import * as m005 from './005_money';
import * as m006 from './006_retention';
import * as m007 from './007_notifications';

// Append one line per migration; names sort in the order they run.
export const migrations: Record<string, Migration> = {
  '001_core': m001,
  '002_ingest': m002,
  '003_crm': m003,
  '004_live': m004,
  '005_money': m005,
  '006_retention': m006,
  '007_notifications': m007,
};
