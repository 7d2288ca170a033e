/**
 * What a telemetry event may carry, as README's Telemetry section documents it: the tests of the
 * capture (in memory and end to end) hold the event to exactly these properties.
 *
 * @module
 */

/** The property names of an event, sorted. */
export const DOCUMENTED_PROPERTIES: readonly string[] = [
  "$process_person_profile",
  "arch",
  "ci_mode",
  "cli_version",
  "command",
  "duration_ms",
  "exit_code",
  "mode",
  "os",
  "runtime",
  "success",
];
