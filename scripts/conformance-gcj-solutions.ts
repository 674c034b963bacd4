// This project's own solutions to a few Code Jam problems (written for the conformance run from the
// problem statements), each with a deliberately broken variant that must fail the official tests.

export interface GcjSolution {
  task_id: string;
  language: 'python' | 'cpp' | 'javascript';
  code: string;
  broken: { name: string; apply: (code: string) => string };
}

const swap = (from: string, to: string) => (code: string) => {
  if (!code.includes(from)) throw new Error(`broken variant: '${from}' not in the solution`);
  return code.replace(from, to);
};

export const GCJ_SOLUTIONS: GcjSolution[] = [
  {
    task_id: 'gcj/codejam/2016/qualification_round/counting_sheep',
    language: 'python',
    code: `import sys
data = sys.stdin.read().split()
out = []
for case in range(1, int(data[0]) + 1):
    n = int(data[case])
    if n == 0:
        out.append("Case #%d: INSOMNIA" % case)
        continue
    seen, k = set(), 0
    while len(seen) < 10:
        k += n
        seen.update(str(k))
    out.append("Case #%d: %d" % (case, k))
print("\\n".join(out))
`,
    broken: { name: 'stops at 9 digits', apply: swap('len(seen) < 10', 'len(seen) < 9') },
  },
  {
    task_id: 'gcj/codejam/2016/qualification_round/revenge_of_the_pancakes',
    language: 'javascript',
    code: `const lines = require('fs').readFileSync(0, 'utf8').split('\\n');
const t = Number(lines[0]);
const out = [];
for (let c = 1; c <= t; c++) {
  const s = lines[c].trim().replace(/\\++$/, '');
  let flips = s.length ? 1 : 0;
  for (let i = 0; i + 1 < s.length; i++) if (s[i] !== s[i + 1]) flips++;
  out.push('Case #' + c + ': ' + flips);
}
console.log(out.join('\\n'));
`,
    broken: { name: 'ignores the trailing plus run', apply: swap(".replace(/\\++$/, '')", '') },
  },
  {
    task_id: 'gcj/codejam/2017/qualification_round/tidy_numbers',
    language: 'cpp',
    code: `#include <bits/stdc++.h>
using namespace std;
int main() {
  int t; cin >> t;
  for (int c = 1; c <= t; c++) {
    string s; cin >> s;
    for (int i = (int)s.size() - 2; i >= 0; i--) {
      if (s[i] > s[i + 1]) {
        s[i]--;
        for (size_t j = i + 1; j < s.size(); j++) s[j] = '9';
      }
    }
    size_t k = s.find_first_not_of('0');
    cout << "Case #" << c << ": " << s.substr(k) << "\\n";
  }
}
`,
    broken: { name: 'keeps the digits after the drop', apply: swap("s[j] = '9'", "s[j] = s[j]") },
  },
  {
    task_id: 'gcj/codejam/2015/qualification_round/standing_ovation',
    language: 'python',
    code: `t = int(input())
for case in range(1, t + 1):
    smax, digits = input().split()
    standing = added = 0
    for k, ch in enumerate(digits):
        if standing < k:
            added += k - standing
            standing = k
        standing += int(ch)
    print("Case #%d: %d" % (case, added))
`,
    broken: { name: 'off by one in the shyness level', apply: swap('if standing < k:', 'if standing < k - 1:') },
  },
  {
    task_id: 'gcj/codejam/2008/round_1a/minimum_scalar_product',
    language: 'cpp',
    code: `#include <bits/stdc++.h>
using namespace std;
int main() {
  int t; cin >> t;
  for (int c = 1; c <= t; c++) {
    int n; cin >> n;
    vector<long long> x(n), y(n);
    for (auto& v : x) cin >> v;
    for (auto& v : y) cin >> v;
    sort(x.begin(), x.end());
    sort(y.rbegin(), y.rend());
    long long s = 0;
    for (int i = 0; i < n; i++) s += x[i] * y[i];
    cout << "Case #" << c << ": " << s << "\\n";
  }
}
`,
    broken: { name: 'sorts both ascending', apply: swap('sort(y.rbegin(), y.rend());', 'sort(y.begin(), y.end());') },
  },
  {
    task_id: 'gcj/codejam/2014/qualification_round/cookie_clicker_alpha',
    language: 'python',
    code: `import sys
data = sys.stdin.read().split()
t = int(data[0])
for case in range(1, t + 1):
    c, f, x = map(float, data[3 * case - 2: 3 * case + 1])
    rate, spent = 2.0, 0.0
    while x / rate > c / rate + x / (rate + f):
        spent += c / rate
        rate += f
    print("Case #%d: %.7f" % (case, spent + x / rate))
`,
    broken: { name: 'never buys a farm', apply: swap('while x / rate > c / rate + x / (rate + f):', 'while False:') },
  },
];
