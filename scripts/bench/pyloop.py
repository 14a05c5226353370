#!/usr/bin/env python3
"""The issue's reference point for a standards import: a plain Python loop
that reads the CSV, inserts each row into a table of its 10 columns and its
text as CJK bigrams into one FTS5 table, in one transaction, with no
validation, no other index and no audit. Prints rows/s and the ratio to the
sqlite3 shell's .import of the same file into a plain table, timed here.

    sidi bench-import --rows 100000 --csv /tmp/std100k.csv
    python3 scripts/bench/pyloop.py /tmp/std100k.csv
"""
import csv, os, re, sqlite3, subprocess, sys, tempfile, time

CJK = re.compile(r'[\u3400-\u9fff]+|[A-Za-z0-9]+')


def bigrams(text):
    out = []
    for run in CJK.findall(text):
        if run[0] >= '\u3400':
            out.extend(run[i:i + 2] for i in range(max(1, len(run) - 1)))
        else:
            out.append(run.lower())
    return ' '.join(out)


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: pyloop.py FILE.csv')
    path = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        shell_db = os.path.join(tmp, 'plain.db')
        t = time.perf_counter()
        subprocess.run(['sqlite3', shell_db, '.mode csv', '.import ' + path + ' std'], check=True)
        shell = time.perf_counter() - t
        db = sqlite3.connect(os.path.join(tmp, 'loop.db'))
        db.execute('PRAGMA journal_mode=WAL')
        db.execute('CREATE TABLE std(code, title, status, issued, implemented, ics, ccs, committee, drafters, replaces)')
        db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, content='')")
        t, c = time.perf_counter(), time.process_time()
        n = toks = 0
        with open(path, newline='', encoding='utf-8') as f:
            rows = csv.reader(f)
            next(rows)
            db.execute('BEGIN')
            for r in rows:
                cur = db.execute('INSERT INTO std VALUES (?,?,?,?,?,?,?,?,?,?)', r)
                title, body = bigrams(r[1]), bigrams(' '.join(r[0:1] + r[7:10]))
                db.execute('INSERT INTO fts(rowid, title, body) VALUES (?,?,?)', (cur.lastrowid, title, body))
                toks += title.count(' ') + body.count(' ') + 2
                n += 1
            db.execute('COMMIT')
        loop, cpu = time.perf_counter() - t, time.process_time() - c
    print(f'sqlite3 .import: {shell:.2f} s, {n / shell:.0f} rows/s')
    print(f'python loop with FTS5 bigrams (SQLite {sqlite3.sqlite_version}): {loop:.2f} s, {n / loop:.0f} rows/s, '
          f'CPU {cpu:.2f} s; {shell / loop:.3f}x the .import; {toks} tokens indexed')


if __name__ == '__main__':
    main()
