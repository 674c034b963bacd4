// Synthetic but realistic rollouts: an English chain of thought with inline math, ~1 kB.
const SENTENCES = [
  'First, we need to find the sum of the two numbers given in the problem statement.',
  'Let me write the equation as $x + y = 12$ and solve it step by step.',
  'Substituting the first value, we get a simpler expression that is easy to check.',
  'Now we divide both sides by three, which keeps the equality true.',
  'Wait, let me double check the arithmetic before going on to the next part.',
  'The second condition tells us that the product is positive, so both are positive.',
  'Therefore the only pair that satisfies both conditions is the one we found above.',
  'We can verify it by plugging the values back into the original equations.',
  'Everything is consistent, so the final answer follows directly from this.',
  'In summary, the value we are looking for is seven, as computed.',
  'One more sanity check: the numbers are integers and within the stated range.',
];

export function completion1k(seed: number): string {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < 960; i++) {
    const s = SENTENCES[(seed + i * 7) % SENTENCES.length]!;
    parts.push(s);
    len += s.length + 1;
  }
  return `<think>${parts.join(' ')}</think>The answer is $\\boxed{7}$.`;
}

export function rollouts(n: number, groupSize = 8): { prompt: string; completion: string }[] {
  return Array.from({ length: n }, (_, i) => ({ prompt: `Problem ${Math.floor(i / groupSize)}: find the value.`, completion: completion1k(i) }));
}
