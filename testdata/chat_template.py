"""Renders chat templates for gemmatok's tests as Hugging Face's
transformers does, with jinja2. Reads one JSON request on stdin:

  {"template": T, "bos": S, "chats": [{"messages": [{"role": R, "content": C}, ...],
                                       "add_generation_prompt": G}, ...]}

and writes {"texts": [B64 or null, ...]}: each chat's text, base64, or null
where the template raised an exception.
"""
import base64
import json
import sys

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def main():
    req = json.load(sys.stdin)
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    tmpl = env.from_string(req["template"])
    texts = []
    for c in req["chats"]:
        try:
            text = tmpl.render(messages=c["messages"], bos_token=req["bos"],
                               add_generation_prompt=c["add_generation_prompt"])
            texts.append(base64.b64encode(text.encode()).decode())
        except jinja2.exceptions.TemplateError:
            texts.append(None)
    json.dump({"texts": texts}, sys.stdout)


if __name__ == "__main__":
    main()
