"""The rule set of `InjectionDetector`: instruction-like content that has no business in tool output.

Weights: 1.0 is a strong signal on its own; 0.5 is a weak one (common in benign documentation, e.g. a `curl`
command or a mention of a system prompt) that only counts together with another.
"""

from __future__ import annotations

from ._scan import Rule

_PREVIOUS = r'(?:previous|prior|above|earlier|preceding|former|initial|original|system|safety|developer|existing)'
_ORDERS = r'(?:instructions?|prompts?|rules|directions|guidelines|context|messages|constraints|commands|orders)'
_SECRET = (
    r'(?:secrets?|api[\s_-]?keys?|credentials?|access[\s_-]?tokens?|auth\w*[\s_-]?tokens?|passwords?|'
    r'env(?:ironment)?[\s_-]?var(?:iable)?s?|\.env\b|ssh[\s_-]?keys?|private[\s_-]?keys?|id_rsa|id_ed25519|'
    r'cookies?|session[\s_-]?(?:ids?|tokens?)|conversation|chat\s+history|system\s+prompt)'
)
_DESTINATION = (
    r'(?:https?://|www\.|[\w.+-]+@[\w-]+\.|(?:the|this|that|my|our)\s+(?:following\s+)?'
    r'(?:url|endpoint|server|address|webhook|link|email|domain|site))'
)

INJECTION_RULES: tuple[Rule, ...] = (
    Rule(
        'override',
        ('ignore', 'disregard', 'forget', 'override', 'bypass', 'skip', 'discard', 'abandon'),
        rf'\s+(?:(?:all|any|the|your|my|these|those|every|of|both)\s+){{0,3}}(?:{_PREVIOUS}\s+){{1,2}}{_ORDERS}\b',
        'asks to disregard earlier instructions',
    ),
    Rule(
        'override',
        ('ignore', 'disregard', 'forget'),
        r"\s+(?:all\s+|everything\s+)(?:of\s+)?(?:the\s+)?(?:above|before|prior|(?:that\s+)?you(?:'ve|\s+have|\s+were|"
        r'\s+had)\s+(?:been\s+)?(?:told|given|instructed))',
        'asks to forget everything before it',
    ),
    Rule('override', ('disregard the above', 'ignore the above'), r'\b', 'asks to disregard the text above it'),
    Rule(
        'role_change',
        ('you are now',),
        r'\s+(?:(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:ai|assistant|model|bot|chatbot|agent|persona|character|hacker|'
        r'llm|language\s+model)\b|dan\b|in\s+[\w-]+\s+mode|no\s+longer\b|free\s+(?:from|of)\b|unrestricted|'
        r'unfiltered|jailbroken|acting\s+as|going\s+to\s+(?:act|pretend|ignore)|called\b|named\b|operating\s+'
        r'(?:as|in|under)\b)',
        'tries to give the model a new identity',
    ),
    Rule('role_change', ('you are now',), r'\b', 'addresses the model directly ("you are now")', weight=0.5),
    Rule(
        'role_change',
        ('from now on',),
        r'[,\s]+(?:you|the\s+(?:assistant|model|ai|agent))\s+(?:will|are|must|should|shall|can)\b',
        'redefines how the model behaves',
    ),
    Rule('role_change', ('pretend',), r'\s+(?:to\s+be|you\s+are|that\s+you)\b', 'asks the model to role-play'),
    Rule(
        'role_change',
        ('enable', 'activate', 'enter', 'switch to'),
        r'\s+(?:dan|developer|god|jailbreak|jailbroken|unrestricted|sudo|admin)\s+mode\b',
        'asks for an unrestricted mode',
    ),
    Rule(
        'override',
        ('new instructions', 'updated instructions', 'real instructions', 'actual instructions', 'new task'),
        r'\s*:',
        'introduces replacement instructions',
    ),
    Rule(
        'system_prompt',
        (
            'reveal',
            'print',
            'show',
            'output',
            'repeat',
            'leak',
            'disclose',
            'display',
            'dump',
            'tell me',
            'what is',
            'what are',
            'recite',
            'echo',
        ),
        r'\s+(?:me\s+)?(?:all\s+)?(?:your|the)\s+(?:full\s+|original\s+|initial\s+|hidden\s+|secret\s+|exact\s+)?'
        r'(?:system\s+prompt|system\s+message|initial\s+prompt|instructions)\b',
        'asks the model to reveal its instructions',
    ),
    Rule(
        'system_prompt',
        ('new', 'updated', 'override', 'real', 'actual'),
        r'\s+system\s+(?:prompt|message|instructions)\b',
        'claims to replace the system prompt',
    ),
    Rule('system_prompt', ('system prompt', 'system message'), r'\s*[:=]', 'sets a "system prompt"'),
    Rule('system_prompt', ('system prompt',), r'\b', 'mentions the system prompt', weight=0.5),
    Rule(
        'exfiltration',
        (
            'send',
            'post',
            'upload',
            'forward',
            'email',
            'e-mail',
            'transmit',
            'share',
            'leak',
            'submit',
        ),
        rf'\b[^\n]{{0,80}}?{_SECRET}[^\n]{{0,80}}?\b(?:to|into|at|via|in)\s+{_DESTINATION}',
        'asks to send secrets or private data somewhere',
    ),
    Rule('exfiltration', ('exfiltrate', 'exfiltration of'), r'\b', 'talks about exfiltrating data'),
    Rule(
        'exfiltration',
        ('![',),
        r'[^\]\n]{0,100}\]\(\s*https?://[^)\s]*\?[^)\s]*(?:\{|\$|<|%7b)',
        'markdown image that would leak data through its URL',
        word_start=False,
    ),
    Rule(
        'concealment',
        ('do not ', "don't ", 'never ', 'without '),
        r"(?:tell|mention|inform|reveal|telling|informing)\b[^\n.]{0,80}?\b(?:the\s+)?user(?:'s)?\b",
        'asks to keep something from the user',
    ),
    Rule('concealment', ('hide this from',), r"\s+(?:the\s+)?user(?:'s)?\b", 'asks to keep something from the user'),
    Rule(
        'tool_call',
        ('call', 'invoke', 'use', 'run', 'execute', 'trigger'),
        r"\s+(?:the\s+|your\s+)?[`'\"]?[\w.-]+[`'\"]?\s+tool\b",
        'tells the model to call a tool',
        weight=0.5,
    ),
    Rule(
        'tool_call',
        (
            '"tool_calls"',
            '"function_call"',
            '<tool_call>',
            '<function_calls>',
            '<invoke name=',
            '<|tool_call',
            '<tool_use>',
            '"tool_use"',
        ),
        '',
        'contains a tool-call structure',
        word_start=False,
    ),
    Rule(
        'command_url',
        ('curl', 'wget'),
        r'\b[^\n]{0,200}?https?://[^\n]{0,200}?\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b',
        'downloads and pipes a script into a shell',
    ),
    Rule(
        'command_url',
        ('curl', 'wget'),
        r'\b[^\n]{0,200}?(?:\$\{?[a-z_]*(?:key|token|secret|pass)|\$\(|`|~/\.ssh|/etc/passwd|\.env\b|--data|-d\s|--form|'
        r'-x\s+post|--upload)[^\n]{0,200}?https?://|\b[^\n]{0,200}?https?://[^\n]{0,200}?(?:\$\{?[a-z_]*'
        r'(?:key|token|secret|pass)|\$\(|`|~/\.ssh|/etc/passwd|\.env\b)',
        'sends local data to a URL',
    ),
    Rule('command_url', ('curl', 'wget'), r'\b[^\n]{0,200}?https?://', 'a curl/wget command with a URL', weight=0.5),
    Rule(
        'role_marker',
        ('<|',),
        r'(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|'
        r'channel)\|>',
        'chat-template role marker',
        word_start=False,
    ),
    Rule(
        'role_marker',
        (
            '[inst]',
            '[/inst]',
            '<<sys>>',
            '<</sys>>',
            '<system>',
            '</system>',
            '<start_of_turn>',
            '<end_of_turn>',
            '[system](#',
        ),
        '',
        'chat-template role marker',
        word_start=False,
    ),
    Rule(
        'role_marker',
        ('##',),
        r'#*\s*(?:system|instructions?|new\s+instructions?|assistant|admin|developer)\b',
        'markdown heading posing as a role marker',
        line_start=True,
    ),
    Rule(
        'role_marker',
        ('system:', 'assistant:', 'human:', 'developer:'),
        r'[ \t]*\S',
        'transcript-style role line',
        weight=0.5,
        line_start=True,
    ),
    Rule(
        'role_marker',
        ('<important>', '<instructions>', '</instructions>'),
        '',
        'instruction tag',
        weight=0.5,
        word_start=False,
    ),
    Rule(
        'sensitive_file',
        ('~/.',),
        r'(?:ssh|aws/credentials|netrc|docker/config\.json|kube/config)\b',
        'refers to a credentials file',
        weight=0.5,
        word_start=False,
    ),
    Rule(
        'sensitive_file',
        ('id_rsa', 'id_ed25519', '/etc/shadow', '.git-credentials', 'mcp.json'),
        '',
        'refers to a credentials file',
        weight=0.5,
        word_start=False,
    ),
    Rule(
        'delimiter_escape',
        ('</untrusted-data', '<untrusted-data', '</tool_output', '</function_results', '</document'),
        '',
        'tries to close the data delimiter around it',
        word_start=False,
    ),
)
