"""The special tokens of the step format, in one place (the tokenizer reads this list).

Every tag is one special token. Field text that happens to contain one of these strings
is escaped by `reasoning.render`, so the token text always parses back exactly.
"""

SYSTEM, SYSTEM_END = "<system>", "</system>"
USER, USER_END = "<user>", "</user>"
THINK, THINK_END = "<think>", "</think>"
PROPOSAL, PROPOSAL_END = "<step_proposal>", "</step_proposal>"
CRITIC, CRITIC_END = "<step_critic>", "</step_critic>"
JUDGE, JUDGE_END = "<judge>", "</judge>"
TERMINATED = "<terminated/>"
TRUNCATED = "<truncated/>"
OUTPUT, OUTPUT_END = "<output>", "</output>"

SPECIAL_TOKENS: tuple[str, ...] = (
    SYSTEM, SYSTEM_END,
    USER, USER_END,
    THINK, THINK_END,
    PROPOSAL, PROPOSAL_END,
    CRITIC, CRITIC_END,
    JUDGE, JUDGE_END,
    TERMINATED, TRUNCATED,
    OUTPUT, OUTPUT_END,
)  # fmt: skip

END_MARKERS = {"terminated": TERMINATED, "truncated": TRUNCATED}
VERDICTS = ("accept", "reject")
