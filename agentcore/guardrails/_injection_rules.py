"""The rule set of `InjectionDetector`: instruction-like content that has no business in tool output.

Weights: 1.0 is a strong signal on its own; 0.5 is a weak one (common in benign documentation, e.g. a `curl`
command or a mention of a system prompt) that only counts together with another.
"""

from __future__ import annotations

from dataclasses import replace

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
        r'[,\s]+(?:you|the\s+(?:assistant|model|ai|agent))\s+(?:will|are|must|should|shall)\b',
        'redefines how the model behaves',
        weight=0.5,
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
        weight=0.5,
    ),
    Rule(
        'command_url',
        ('curl', 'wget'),
        r'\b[^\n]{0,200}?(?:\$\{?[a-z_]*(?:key|token|secret|pass)|\$\(|~/\.ssh|/etc/passwd|\.env\b|--data|-d\s|--form|'
        r'-x\s+post|--upload)[^\n]{0,200}?https?://|\b[^\n]{0,200}?https?://[^\n]{0,200}?(?:\$\{?[a-z_]*'
        r'(?:key|token|secret|pass)|\$\(|~/\.ssh|/etc/passwd|\.env\b)',
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


# --- Intent structure: who the text addresses, what it claims priority over, what new task it sets. ---------------
_AI = (
    r'(?:the\s+)?(?:ai|a\.i\.|assistant|ai\s+assistant|agent|ai\s+agent|model|llm|language\s+model|chatbot|bot|'
    r'copilot|gpt[\w.-]*|chatgpt|claude[\w.-]*|gemini[\w.-]*|llama[\w.-]*|mistral[\w.-]*|command[\s-]r\+?)\b'
)
_TASK_GIVEN = (
    r'(?:that\s+|which\s+)?(?:i|we|the\s+user|your\s+user)\s+(?:gave|give|have\s+given|assigned|asked)\s+(?:to\s+)?you'
    r'|(?:that\s+|which\s+)?you\s+(?:were|have\s+been|are)\s+(?:given|assigned|asked|working\s+on)'
)
_DEST_ANY = r'(?:https?://|www\.|[\w.+-]+@[\w-]+\.|\biban\b|\b[a-z]{2}\d{2}[a-z0-9]{10,30}\b)'
_ACTION = (
    r'(?:send|transfer|forward|email|e-mail|wire|pay|delete|remove|create|invite|share|post|upload|visit|open|'
    r'go\s+to|click|change|update|reset|make|add|schedule|book|download|run|execute|read|write|buy|order)'
)

INTENT_RULES: tuple[Rule, ...] = (
    Rule(
        'override',
        ('ignore', 'disregard', 'forget', 'override', 'bypass', 'abandon', 'discard'),
        r'\s+(?:(?:all|any|of|the|your|my|these|those)\s+){0,3}(?:previous|prior|earlier|preceding|original|initial|'
        r'above|old|current|assigned)\s+(?:[a-z]*(?:nstr|stru|truc|ruct)[a-z]*|direct\w*|prompts?|rules|orders|'
        r'guid\w*|commands|tasks?|messages|context)\b',
        'asks to set earlier instructions aside',
    ),
    Rule(
        'override',
        ('stop', 'pause', 'abandon', 'drop', 'cancel', 'halt', 'suspend'),
        r"\s+(?:immediately\s+|now\s+)?(?:what(?:ever)?\s+you(?:'re|\s+are)\s+(?:currently\s+)?doing|(?:your|the)\s+"
        r'(?:current|original|previous|assigned|present)\s+(?:task|work|job|instructions?|plan)|everything\s+'
        r"(?:you(?:'re|\s+are)\s+doing|else))",
        'tells the model to drop its current task',
    ),
    Rule(
        'override',
        ('do not follow', "don't follow", 'no longer follow', 'stop following', 'do not obey', "don't obey"),
        r'\s+(?:the\s+|your\s+|any\s+)?(?:user|previous|original|earlier|system|prior|instructions)',
        'tells the model not to follow its instructions',
    ),
    Rule(
        'override',
        ('before you', 'before doing', 'before solving', 'before completing', 'before continuing', 'before answering',
         'before proceeding', 'before finishing', 'before you can', 'after you do that', 'once you have done that',
         'then continue with', 'then go back to', 'then return to', 'then proceed with'),
        rf'\b[^\n]{{0,80}}?\b(?:the|your|my|original)\s+(?:original\s+|initial\s+|first\s+|actual\s+)?'
        rf'(?:task|request|job|question|assignment)\b[^\n]{{0,20}}?(?:{_TASK_GIVEN}|in\s+the\s+beginning|originally)',
        'puts its own request ahead of the task the model was given',
    ),
    Rule(
        'override',
        ('the task', 'your task', 'the request', 'the job', 'the original task', 'your original task'),
        rf'\s+(?:{_TASK_GIVEN})',
        'refers to the task the model was given',
        weight=0.5,
    ),
    Rule(
        'new_task',
        ('your new', 'your real', 'your actual', 'your true', 'your primary', 'your only', 'your main', 'your updated',
         'your next', 'the new', 'the real'),
        r'\s+(?:task|goal|objective|mission|job|assignment|instructions?|priority|orders)\s*(?:is|are|:|now|will\s+be)',
        'sets a new task for the model',
    ),
    Rule(
        'new_task',
        ('do the following first', 'please do the following', 'you must first', 'first, you must', 'first you must',
         'first you need to', 'you need to first', 'strictly adhere to the following', 'follow these instructions',
         'follow the instructions below', 'comply with the following', 'execute the following instructions',
         'carry out the following', 'perform the following action', 'complete the following task',
         'do this instead', 'do that instead', 'instead, you must', 'instead you must', 'instead, you should'),
        r'\b',
        'asks the model to carry out instructions it contains',
        weight=0.5,
    ),
    Rule(
        'new_task',
        ('todo:', 'to-do:', 'action required:', 'action item:', 'task:'),
        rf'\s*(?:please\s+)?{_ACTION}\b[^\n]{{0,200}}?{_DEST_ANY}',
        'embeds a task with a destination',
        prose_only=True,
    ),
    Rule(
        'impersonation',
        ('the user', 'your user', 'my user', 'the human', 'your owner', 'your developer', 'your creator',
         'your admin', 'your administrator', 'your operator'),
        r'\s+(?:also\s+|really\s+|now\s+)?(?:wants|would\s+like|needs|has\s+asked|asked|instructs|requests|requires|'
        r'expects|told|authori[sz]ed|wishes)\s+(?:you|that\s+you)\b',
        'speaks for the user',
    ),
    Rule(
        'impersonation',
        ('message from', 'note from', 'instructions from', 'request from', 'this is'),
        r'\s+(?:me,?\s+|the\s+user|your\s+(?:user|owner|developer|creator|admin|administrator|operator|boss)|'
        r'(?:the\s+)?(?:system\s+administrator|system|developer|openai|anthropic)\b[^\n]{0,20}?\bto\s+you)',
        'claims to come from the user or the system',
        weight=0.5,
    ),
    Rule(
        'addressee',
        ('to you', 'for you', 'dear', 'attention', 'note to', 'message to', 'message for', 'instructions for',
         'instruction for', 'hey', 'hello', 'hi', 'note for', 'notice to', 'reminder for', 'reminder to'),
        rf'\s*,?\s*(?:all\s+)?{_AI}',
        'addresses the AI model',
        weight=0.5,
    ),
    Rule(
        'addressee',
        ('if you are an', 'if you are a', 'if you are the', "if you're an", 'ai agents', 'ai assistants', 'llms',
         'language models', 'ai models', 'any ai', 'automated agents'),
        r'\s*(?::|ai\b|llm\b|language\s+model|assistant|agent|bot\b|reading|processing|parsing|summari[sz]ing|that\s+read|'
        r'who\s+read|must|should|are\s+required|are\s+instructed)',
        'addresses AI models reading it',
        weight=0.5,
    ),
    Rule(
        'priority',
        ('important message', 'important instructions', 'important instruction', 'urgent message', 'important!!!',
         'important update for', 'critical instruction', 'priority instruction', 'highest priority',
         'top priority', 'takes precedence', 'take precedence', 'overrides all', 'supersedes'),
        r'(?:\b|(?<=\W))',
        'claims urgency or precedence',
        weight=0.5,
    ),
    Rule(
        'role_marker',
        ('<information>', '</information>', '<instruction>', '</instruction>', '[system]', '[system message]',
         '[system note]', '[admin]', '[important]', '<<system>>', '(system message)', '(system_message)',
         '[assistant]', '<assistant>', '<admin>', 'system override', 'admin override', 'system notice:',
         'system note:', 'system update:', 'message from the system'),
        r'(?:\b|(?<=\W))',
        'role or instruction tag',
        weight=0.5,
        word_start=False,
    ),
    Rule(
        'role_marker',
        ('#',),
        r'#*\s*[(\[]\s*(?:system|system_message|system\s+message|admin|instructions?)\b',
        'markdown heading posing as a role marker',
        line_start=True,
        word_start=False,
    ),
    Rule(
        'role_marker',
        ('##',),
        r'#*[(\[]\s*(?:system|system_message|system\s+message|admin|developer)\s*[)\]]',
        'a role header glued to hashes inside a line (`###(system_message)`), posing as a system message',
        word_start=False,
    ),
    Rule(
        'tool_call',
        ('use the tool', 'call the tool', 'invoke the tool', 'call the function', 'use the function',
         'with the following arguments', 'with these arguments', 'with the arguments', 'with the parameters'),
        r'\b',
        'tells the model how to call a tool',
        weight=0.5,
    ),
    Rule(
        'tool_call',
        ('"role": "assistant"', '"role":"assistant"', '"role": "system"', '"role":"system"'),
        '',
        'a fake chat turn',
        weight=0.5,
        word_start=False,
    ),
    # French (diacritics are folded before scanning).
    Rule(
        'override',
        ('ignore', 'ignorez', 'ignorer', 'oublie', 'oubliez', 'oublier', 'ne tiens pas compte', 'ne tenez pas compte',
         'fais abstraction', 'faites abstraction', 'ne suis plus', 'ne suivez plus', 'ne respecte plus',
         'ne respectez plus'),
        r"\s+(?:[\w']+\s+){0,4}?(?:instructions?|consignes?|directives?|regles|ordres|messages|taches?)\s+"
        r"(?:precedentes?|anterieures?|ci-dessus|initiales?|d'origine|originales?|de\s+l'utilisateur)",
        'asks to disregard earlier instructions (fr)',
    ),
    Rule(
        'override',
        ('oublie tout', 'oubliez tout', 'ignore tout', 'ignorez tout'),
        r'\s+(?:ce\s+qu|ce\s+qui|le\s+reste|les\s+instructions)',
        'asks to forget everything before it (fr)',
    ),
    Rule(
        'new_task',
        ('ta nouvelle', 'votre nouvelle', 'ta vraie', 'votre vraie', 'ta veritable', 'votre veritable'),
        r'\s+(?:tache|mission|instruction|consigne|objectif|priorite)',
        'sets a new task for the model (fr)',
    ),
    Rule(
        'new_task',
        ('nouvelles instructions', 'nouvelle tache', 'nouvelles consignes'),
        r'\s*:',
        'introduces replacement instructions (fr)',
    ),
    Rule(
        'impersonation',
        ("l'utilisateur", 'votre utilisateur', 'ton utilisateur'),
        r'\s+(?:veut|souhaite|aimerait|demande|exige|a\s+demande)\s+(?:que\s+(?:tu|vous)|(?:te|vous)\s+)',
        'speaks for the user (fr)',
    ),
    Rule(
        'override',
        ('avant de',),
        r"\s+[^\n]{0,60}?\b(?:la|ta|votre)\s+tache\b[^\n]{0,60}?(?:que\s+je\s+(?:t|vous)|donnee|confiee|d'abord)",
        'puts its own request ahead of the task the model was given (fr)',
    ),
    Rule(
        'addressee',
        ("a l'assistant", "a l'ia", "a l'agent", "pour l'assistant", "pour l'ia", "pour l'agent", 'cher assistant',
         'chere ia', 'cher agent', 'message important', 'instructions importantes', 'si tu es une ia',
         'si vous etes une ia', 'aux agents ia', 'aux assistants ia'),
        r'\b',
        'addresses the AI model (fr)',
        weight=0.5,
    ),
    Rule(
        'concealment',
        ('ne dis pas', 'ne dites pas', 'ne le dis pas', 'ne le dites pas', 'ne mentionne pas', 'ne mentionnez pas',
         "n'en parle pas", "n'en parlez pas", 'sans le dire', 'sans en parler', 'sans informer', 'sans prevenir',
         'cache-le', 'cachez-le'),
        r'\b[^\n.]{0,60}?\butilisateur',
        'asks to keep something from the user (fr)',
    ),
    Rule(
        'exfiltration',
        ('envoie', 'envoyez', 'envoyer', 'transfere', 'transferez', 'transmets', 'transmettez', 'partage',
         'partagez'),
        rf'\b[^\n]{{0,80}}?(?:cles?|mots?\s+de\s+passe|secrets?|identifiants|jetons?|tokens?|api|\.env)\b[^\n]{{0,80}}?'
        rf'\b(?:a|vers|sur|au|par)\s+{_DEST_ANY}',
        'asks to send secrets somewhere (fr)',
    ),
    # German.
    Rule(
        'override',
        ('ignoriere', 'ignorier', 'ignorieren sie', 'vergiss', 'vergessen sie', 'missachte', 'missachten sie',
         'uberschreibe', 'verwirf', 'verwerfen sie', 'befolge nicht', 'befolgen sie nicht'),
        r'\s+(?:\w+\s+){0,3}?(?:vorherigen?|vorigen?|bisherigen?|fruheren?|obigen?|ursprunglichen?|alten|'
        r'vorangegangenen?)\s+(?:\w+\s+)?(?:anweisungen|anordnungen|befehle|instruktionen|regeln|vorgaben|aufgaben?|'
        r'nachrichten|richtlinien)',
        'asks to disregard earlier instructions (de)',
    ),
    Rule('override', ('vergiss alles', 'vergessen sie alles'), r'\b', 'asks to forget everything before it (de)'),
    Rule(
        'new_task',
        ('deine neue', 'ihre neue', 'deine eigentliche', 'ihre eigentliche', 'deine wahre', 'ihre wahre',
         'deine wirkliche'),
        r'\s+(?:aufgabe|mission|anweisung|ziel|prioritat)',
        'sets a new task for the model (de)',
    ),
    Rule('new_task', ('neue anweisungen', 'neue aufgabe', 'neue instruktionen'), r'\s*:',
         'introduces replacement instructions (de)'),
    Rule(
        'impersonation',
        ('der benutzer', 'der nutzer', 'dein benutzer', 'ihr benutzer', 'die benutzerin', 'dein nutzer'),
        r'\s+(?:mochte|will|wunscht|bittet|verlangt|mochte,)\s*,?\s*(?:dass\s+(?:du|sie)|dich|sie)\b',
        'speaks for the user (de)',
    ),
    Rule(
        'override',
        ('bevor du', 'bevor sie'),
        r'\s+[^\n]{0,60}?\baufgabe\b[^\n]{0,60}?(?:die\s+ich\s+(?:dir|ihnen)|gegeben|zuerst|erst)',
        'puts its own request ahead of the task the model was given (de)',
    ),
    Rule(
        'addressee',
        ('an den assistenten', 'an die ki', 'an das modell', 'an den agenten', 'fur den assistenten', 'fur die ki',
         'liebe ki', 'lieber assistent', 'hinweis fur die ki', 'wichtige nachricht', 'wichtige anweisung',
         'wenn du eine ki bist', 'ki-agenten', 'ki-assistenten'),
        r'\b',
        'addresses the AI model (de)',
        weight=0.5,
    ),
    Rule(
        'concealment',
        ('sag dem', 'sage dem', 'sagen sie dem', 'erwahne', 'erwahnen sie', 'informiere', 'informieren sie'),
        r'\b[^\n.]{0,40}?\b(?:benutzer|nutzer|anwender)\w*\b[^\n.]{0,40}?\bnicht',
        'asks to keep something from the user (de)',
    ),
    Rule(
        'concealment',
        ('ohne dem', 'ohne den', 'ohne die'),
        r'\s+(?:benutzer|nutzer|anwender)\w*\s+(?:\w+\s+){0,2}(?:zu\s+)?(?:informieren|sagen|erwahnen|benachrichtigen)',
        'asks to keep something from the user (de)',
    ),
    Rule(
        'exfiltration',
        ('sende', 'schicke', 'schick', 'senden sie', 'schicken sie', 'ubermittle', 'ubermitteln sie', 'leite'),
        rf'\b[^\n]{{0,80}}?(?:schlussel|passw(?:o|ö)rt(?:er)?|zugangsdaten|geheimnis\w*|tokens?|api|\.env)\b'
        rf'[^\n]{{0,80}}?\b(?:an|zu|nach|auf)\s+{_DEST_ANY}',
        'asks to send secrets somewhere (de)',
    ),
    # Spanish.
    Rule(
        'override',
        ('ignora', 'ignore', 'ignorar', 'ignoren', 'olvida', 'olvide', 'olvidar', 'olviden', 'omite', 'omita',
         'descarta', 'descarte', 'haz caso omiso de', 'no sigas', 'no siga'),
        r'\s+(?:\w+\s+){0,3}?(?:instrucciones|indicaciones|ordenes|reglas|directrices|mensajes|tareas)\s+'
        r'(?:anteriores|previas|originales|iniciales|de\s+arriba|del\s+usuario)',
        'asks to disregard earlier instructions (es)',
    ),
    Rule('override', ('olvida todo', 'olvide todo', 'olviden todo', 'ignora todo'), r'\s+lo\s+(?:que|anterior)',
         'asks to forget everything before it (es)'),
    Rule(
        'new_task',
        ('tu nueva', 'su nueva', 'tu verdadera', 'su verdadera', 'tu autentica', 'tu tarea real'),
        r'\s*(?:tarea|mision|instruccion|objetivo|prioridad|es|:)',
        'sets a new task for the model (es)',
    ),
    Rule('new_task', ('nuevas instrucciones', 'nueva tarea'), r'\s*:', 'introduces replacement instructions (es)'),
    Rule(
        'impersonation',
        ('el usuario', 'tu usuario', 'su usuario'),
        r'\s+(?:quiere|desea|necesita|pide|exige|ha\s+pedido|te\s+pide|le\s+pide)\s+(?:que|te|le)\b',
        'speaks for the user (es)',
    ),
    Rule(
        'override',
        ('antes de',),
        r'\s+[^\n]{0,60}?\b(?:la|tu|su)\s+tarea\b[^\n]{0,60}?(?:que\s+te\s+(?:di|dieron|asigne)|primero|asignada)',
        'puts its own request ahead of the task the model was given (es)',
    ),
    Rule(
        'addressee',
        ('al asistente', 'a la ia', 'al agente', 'al modelo', 'querido asistente', 'querida ia', 'mensaje importante',
         'para el asistente', 'para la ia', 'si eres una ia', 'si eres un asistente', 'agentes de ia'),
        r'\b',
        'addresses the AI model (es)',
        weight=0.5,
    ),
    Rule(
        'concealment',
        ('no le digas', 'no le diga', 'no menciones', 'no mencione', 'sin decirle', 'sin informar', 'no informes',
         'oculta', 'oculte'),
        r'\b[^\n.]{0,40}?\busuario',
        'asks to keep something from the user (es)',
    ),
    Rule(
        'exfiltration',
        ('envia', 'envie', 'enviar', 'manda', 'mande', 'reenvia', 'transfiere', 'comparte'),
        rf'\b[^\n]{{0,80}}?(?:claves?|contrasenas?|credenciales|secretos?|tokens?|api|\.env)\b[^\n]{{0,80}}?'
        rf'\b(?:a|al|hacia|en)\s+{_DEST_ANY}',
        'asks to send secrets somewhere (es)',
    ),
)

# Russian, Chinese and Japanese: scanned only when the text has Cyrillic or CJK characters.
CYRILLIC_RULES: tuple[Rule, ...] = (
    Rule(
        'override',
        ('игнорируй', 'игнорируйте', 'проигнорируй', 'проигнорируйте', 'забудь', 'забудьте', 'не обращай внимания на',
         'не обращайте внимания на', 'отбрось', 'отбросьте', 'отмени', 'отмените', 'не выполняй', 'не следуй'),
        r'\s+(?:\w+\s+){0,3}?(?:предыдущ|прежн|ранее|вышеуказанн|выше|изначальн|исходн|стар|все|всё)\w*\s+'
        r'(?:\w+\s+)?(?:инструкци|указани|правил|команд|сообщени|задач|распоряжени)',
        'asks to disregard earlier instructions (ru)',
    ),
    Rule('override', ('забудь всё', 'забудь все', 'забудьте всё', 'забудьте все'), r'[\s,.]',
         'asks to forget everything before it (ru)'),
    Rule(
        'new_task',
        ('твоя новая', 'ваша новая', 'твоя настоящая', 'ваша настоящая', 'твоя истинная', 'твоя реальная'),
        r'\s+(?:задача|миссия|цель|инструкция)',
        'sets a new task for the model (ru)',
    ),
    Rule('new_task', ('новые инструкции', 'новая задача', 'новые указания'), r'\s*:',
         'introduces replacement instructions (ru)'),
    Rule(
        'impersonation',
        ('пользователь', 'ваш пользователь', 'твой пользователь'),
        r'\s+(?:хочет|просит|требует|желает|попросил|велел)\s*,?\s*(?:чтобы\s+(?:ты|вы)|тебя|вас)',
        'speaks for the user (ru)',
    ),
    Rule(
        'override',
        ('прежде чем', 'перед тем как', 'до того как'),
        r'\s+[^\n]{0,60}?задач[^\n]{0,60}?(?:которую\s+я|сначала|данную|поставленную)',
        'puts its own request ahead of the task the model was given (ru)',
    ),
    Rule(
        'addressee',
        ('ассистенту', 'ии-ассистенту', 'для ии', 'модели ии', 'дорогой ассистент', 'важное сообщение', 'агенту ии',
         'ии-агенту', 'если ты ии', 'если вы ии', 'нейросети'),
        r'',
        'addresses the AI model (ru)',
        weight=0.5,
    ),
    Rule(
        'concealment',
        ('не говори', 'не сообщай', 'не говорите', 'не сообщайте', 'скрой от', 'скройте от', 'не упоминай',
         'не рассказывай'),
        r'[^\n.]{0,30}?пользовател',
        'asks to keep something from the user (ru)',
    ),
    Rule(
        'exfiltration',
        ('отправь', 'отправьте', 'перешли', 'перешлите', 'пошли', 'передай', 'передайте', 'загрузи'),
        rf'[^\n]{{0,80}}?(?:ключ|парол|токен|секрет|учетн|учётн|api|\.env)[^\n]{{0,80}}?(?:на|по|в)\s+{_DEST_ANY}',
        'asks to send secrets somewhere (ru)',
    ),
)

CJK_RULES: tuple[Rule, ...] = (
    # Chinese.
    Rule(
        'override',
        ('忽略', '无视', '忘记', '忘掉', '不要理会', '忽视', '放弃', '不要遵守', '不要遵循', '别管'),
        r'[^\n]{0,10}?(?:之前|以前|先前|上面|上述|前面|原来|原先|所有|全部|一切)[^\n]{0,10}?(?:指令|指示|说明|规则|提示|'
        r'要求|命令|任务|消息|设定)',
        'asks to disregard earlier instructions (zh)',
    ),
    Rule('new_task', ('你的新任务', '你真正的任务', '你现在的任务是', '新的任务是', '你的真正任务', '你的新目标'), '',
         'sets a new task for the model (zh)'),
    Rule('new_task', ('新指令', '新任务', '新的指令'), r'\s*[:：]', 'introduces replacement instructions (zh)'),
    Rule('impersonation', ('用户希望你', '用户要求你', '用户想让你', '用户让你', '用户需要你', '用户请你'), '',
         'speaks for the user (zh)'),
    Rule('override', ('我给你的任务', '我交给你的任务', '最初的任务', '原来的任务', '原始任务'), '',
         'refers to the task the model was given (zh)', weight=0.5),
    Rule('override', ('在你', '在完成', '在执行', '在开始'), r'[^\n]{0,20}?任务[^\n]{0,10}?(?:之前|以前)',
         'puts its own request ahead of the task the model was given (zh)', weight=0.5),
    Rule('addressee', ('致ai', '给ai', 'ai助手', '致助手', '人工智能助手', '重要消息', '重要信息', '如果你是ai', 'ai代理'),
         '', 'addresses the AI model (zh)', weight=0.5),
    Rule('concealment', ('不要告诉用户', '别告诉用户', '不要让用户知道', '不要向用户提及', '不要通知用户', '不要告知用户',
                         '对用户隐瞒'),
         '', 'asks to keep something from the user (zh)'),
    Rule(
        'exfiltration',
        ('密钥', '密码', '令牌', '凭证', '凭据', '秘钥'),
        rf'[^\n]{{0,30}}?(?:发送|发|转发|上传|提交|传)[^\n]{{0,10}}?(?:到|给|至)[^\n]{{0,10}}?{_DEST_ANY}',
        'asks to send secrets somewhere (zh)',
    ),
    Rule(
        'exfiltration',
        ('发送', '转发', '上传', '发给'),
        rf'[^\n]{{0,40}}?(?:密钥|密码|令牌|凭证|凭据|api|token)[^\n]{{0,40}}?{_DEST_ANY}',
        'asks to send secrets somewhere (zh)',
    ),
    # Japanese.
    Rule(
        'override',
        ('これまでの', '以前の', '前の', '上記の', 'すべての', '全ての', '今までの', '元の', '最初の'),
        r'[^\n]{0,10}?(?:指示|命令|ルール|指令|プロンプト|タスク)[^\n]{0,6}?(?:を|は)?\s*(?:すべて|全て)?(?:無視|忘れ|破棄)',
        'asks to disregard earlier instructions (ja)',
    ),
    Rule('new_task', ('あなたの新しいタスク', '新しいタスクは', 'あなたの本当のタスク', 'あなたの本当の任務', '新しい任務は'), '',
         'sets a new task for the model (ja)'),
    Rule('new_task', ('新しい指示', '新しい命令'), r'\s*[:：]', 'introduces replacement instructions (ja)'),
    Rule('impersonation', ('ユーザーはあなたに', 'ユーザーはあなたが', 'ユーザーからあなたへ', 'ユーザーが望んでいる'), '',
         'speaks for the user (ja)'),
    Rule('override', ('私があなたに与えたタスク', '最初に与えられたタスク', '与えられたタスクを'), '',
         'refers to the task the model was given (ja)', weight=0.5),
    Rule('override', ('タスクを',), r'[^\n]{0,20}?前に', 'puts its own request ahead of the task (ja)', weight=0.5),
    Rule('addressee', ('aiアシスタントへ', 'アシスタントへ', 'aiへ', 'エージェントへ', '重要なメッセージ', 'aiの方へ',
                       'あなたがaiなら'),
         '', 'addresses the AI model (ja)', weight=0.5),
    Rule('concealment', ('ユーザーに言わない', 'ユーザーに伝えない', 'ユーザーには言わない', 'ユーザーに知らせない',
                         'ユーザーに教えない', 'ユーザーには伝えない', 'ユーザーに報告しない'),
         '', 'asks to keep something from the user (ja)'),
    Rule(
        'exfiltration',
        ('キー', 'パスワード', 'トークン', '認証情報', '秘密'),
        rf'[^\n]{{0,60}}?{_DEST_ANY}[^\n]{{0,40}}?(?:送信|送って|送付|転送|アップロード)',
        'asks to send secrets somewhere (ja)',
    ),
)

# CJK has no spaces between words: a keyword may follow any character.
CJK_RULES = tuple(replace(r, word_start=False) for r in CJK_RULES)
