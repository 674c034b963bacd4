// A small bundled English/arithmetic text that init-model trains its byte-level BPE on
// (deterministic: the same text always gives the same tokenizer).
export const CORPUS = `<think>
We need to find the answer step by step. First, read the question carefully.
The question asks for the sum of 12 and 30. Adding them gives 42, so the answer is 42.
Let me check: 42 minus 30 is 12, which matches. The answer is correct.
</think>
The answer is \\boxed{42}.

<think>
What is 6 times 7? Six groups of seven make forty-two, so 6 * 7 = 42.
If the options are A) 42 and B) 36, then the correct option is A.
</think>
The answer is A.

A reasoning model thinks before it answers. It writes its thoughts between the think tags,
then gives a short final answer. A reward model checks whether the final answer is right,
whether the format is followed, and whether the language stays consistent.
Group relative policy optimization samples several answers for the same prompt, scores each one,
and compares every reward with the mean of its group. Answers better than the group average are
reinforced; answers worse than the average are discouraged.

Solve for x: 2x + 3 = 11. Subtract 3 from both sides to get 2x = 8, then divide by 2, so x = 4.
The area of a rectangle with sides 5 and 8 is 40. The perimeter is 2 * (5 + 8) = 26.
A train travels 120 kilometres in 2 hours, so its average speed is 60 kilometres per hour.
The sum of the first ten positive integers is 55. The square root of 144 is 12.
If a number is divisible by both 3 and 4, then it is divisible by 12.

def add(a, b):
    return a + b

print(add(2, 3))

The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs.
Every morning the student reviews the notes from the day before, then works through new problems.
When the problem is hard, break it into smaller parts, solve each part, and combine the results.
Write the final answer clearly, and keep the explanation short and precise.
`;
