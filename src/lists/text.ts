/**
 * Free text kept with list entries and audit events (a reason, who made a change). It is
 * shown on terminals (check, show, report) and written to CSV (export), so it is kept
 * plain: a terminal escape sequence in a reason could recolour, move or clear the screen
 * of the supervisor reading it, or hide text from them.
 */

/**
 * ESC-introduced sequences as terminals read them: CSI (`ESC [ … final`, colours and cursor
 * moves), OSC (`ESC ] … BEL` or `ESC \`, titles and hyperlinks), the other escapes
 * (`ESC c` resets, `ESC ( B`), and the one-byte CSI of C1.
 */
const ESCAPE_SEQUENCES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[ -/]*[0-~])?|\u009b[0-?]*[ -/]*[@-~]/g;
/** Every C0 and C1 control character but tab, line feed and carriage return. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * `text` without escape sequences and control characters. Tabs and line breaks stay: a
 * reason may be a note of several lines, and a CSV cell carries them quoted; terminals
 * get them escaped (the CLI escapes every control character it prints).
 */
export function plainText(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(CONTROL_CHARACTERS, '');
}
