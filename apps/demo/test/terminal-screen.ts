/**
 * What a terminal shows after a program's output: a small emulator of the control sequences
 * the CLI writes (its own lines, cli-progress, node:readline's cursor helpers), so a test can
 * assert what a person would see: which lines are on the screen, and whether the cursor is
 * visible. The screen grows downwards without scrolling: keep the output shorter than a screen.
 */
export interface Screen {
  /** The screen's lines, top to bottom, trailing spaces and trailing empty lines dropped. */
  readonly lines: readonly string[];
  readonly cursorVisible: boolean;
  readonly wrapping: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal control sequences is the point
const SEQUENCE = /\x1b\[(\??)([\d;]*)([A-Za-z])|\x1b([78])|([\r\n\b])|([^\x1b\r\n\b]+)/gy;

export function renderScreen(output: string, columns: number): Screen {
  const rows: string[][] = [[]];
  let row = 0;
  let column = 0;
  let saved = { row: 0, column: 0 };
  let cursorVisible = true;
  let wrapping = true;
  const line = () => {
    while (rows.length <= row) rows.push([]);
    return rows[row]!;
  };
  const put = (char: string) => {
    if (column >= columns) {
      if (wrapping) {
        row += 1;
        column = 0;
      } else {
        column = columns - 1;
      }
    }
    const cells = line();
    while (cells.length < column) cells.push(' ');
    cells[column] = char;
    column += 1;
  };

  SEQUENCE.lastIndex = 0;
  for (let match = SEQUENCE.exec(output); match; match = SEQUENCE.exec(output)) {
    const [, privateMode, params = '', command, saveRestore, control, text] = match;
    if (text !== undefined) {
      for (const char of text) put(char);
    } else if (control === '\r') {
      column = 0;
    } else if (control === '\n') {
      row += 1; // the PTY turned the program's \n into \r\n
    } else if (control === '\b') {
      column = Math.max(0, column - 1);
    } else if (saveRestore === '7') {
      saved = { row, column };
    } else if (saveRestore === '8') {
      ({ row, column } = saved);
    } else if (privateMode === '?') {
      const on = command === 'h';
      if (params === '25') cursorVisible = on;
      if (params === '7') wrapping = on;
    } else {
      const [first = '', second = ''] = params.split(';');
      const n = first === '' ? 1 : Number(first);
      const cells = line();
      switch (command) {
        case 'A':
          row = Math.max(0, row - n);
          break;
        case 'B':
          row += n;
          break;
        case 'C':
          column = Math.min(columns - 1, column + n);
          break;
        case 'D':
          column = Math.max(0, column - n);
          break;
        case 'G':
          column = Math.min(columns - 1, n - 1);
          break;
        case 'H':
          row = n - 1;
          column = (second === '' ? 1 : Number(second)) - 1;
          break;
        case 'K': {
          const mode = first === '' ? 0 : n;
          if (mode === 0) cells.length = Math.min(cells.length, column);
          if (mode === 1) cells.fill(' ', 0, column + 1);
          if (mode === 2) cells.length = 0;
          break;
        }
        case 'J':
          cells.length = Math.min(cells.length, column);
          rows.length = Math.min(rows.length, row + 1);
          break;
        default:
          throw new Error(`renderScreen: unhandled sequence ${JSON.stringify(match[0])}`);
      }
    }
  }
  const lines = rows.map((cells) => cells.join('').trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return { lines, cursorVisible, wrapping };
}
