"""AgentDojo's suite functions as agentcore `Tool`s, run on the environment of the task being benchmarked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcore.tools import SideEffects, Tool, ToolArgumentsError, ToolContext, ToolResult
from agentcore.tools._validation import validate_with_model

if TYPE_CHECKING:
    from agentdojo.functions_runtime import Function, FunctionCall, FunctionsRuntime, TaskEnvironment

#: Functions that only read the environment (decided by reading each one in `agentdojo/default_suites/v1/tools`).
#: Every other function of a suite changes the environment or sends something: `external`.
READ_ONLY: dict[str, frozenset[str]] = {
    'workspace': frozenset({
        'get_current_day', 'get_day_calendar_events', 'get_draft_emails', 'get_file_by_id', 'get_received_emails',
        'get_sent_emails', 'list_files', 'search_calendar_events', 'search_contacts_by_email',
        'search_contacts_by_name', 'search_emails', 'search_files', 'search_files_by_filename',
    }),
    'travel': frozenset({
        'check_restaurant_opening_hours', 'get_all_car_rental_companies_in_city', 'get_all_hotels_in_city',
        'get_all_restaurants_in_city', 'get_car_fuel_options', 'get_car_price_per_day', 'get_car_rental_address',
        'get_car_types_available', 'get_contact_information_for_restaurants', 'get_cuisine_type_for_restaurants',
        'get_day_calendar_events', 'get_dietary_restrictions_for_all_restaurants', 'get_flight_information',
        'get_hotels_address', 'get_hotels_prices', 'get_price_for_restaurants', 'get_rating_reviews_for_car_rental',
        'get_rating_reviews_for_hotels', 'get_rating_reviews_for_restaurants', 'get_restaurants_address',
        'get_user_information', 'search_calendar_events',
    }),
    'banking': frozenset({
        'get_balance', 'get_iban', 'get_most_recent_transactions', 'get_scheduled_transactions', 'get_user_info',
        'read_file',
    }),
    'slack': frozenset({'get_channels', 'get_users_in_channel', 'read_channel_messages', 'read_inbox'}),
}

#: The functions that change the environment or send something, by suite (checked against the suites at start).
#: Not read-only although named so: `get_unread_emails` marks the e-mails read; `get_webpage` sends a request to
#: the URL's server (the suite records it: a URL can carry data out).
EXTERNAL: dict[str, frozenset[str]] = {
    'workspace': frozenset({
        'add_calendar_event_participants', 'append_to_file', 'cancel_calendar_event', 'create_calendar_event',
        'create_file', 'delete_email', 'delete_file', 'get_unread_emails', 'reschedule_calendar_event', 'send_email',
        'share_file',
    }),
    'travel': frozenset({
        'cancel_calendar_event', 'create_calendar_event', 'reserve_car_rental', 'reserve_hotel', 'reserve_restaurant',
        'send_email',
    }),
    'banking': frozenset({
        'schedule_transaction', 'send_money', 'update_password', 'update_scheduled_transaction', 'update_user_info',
    }),
    'slack': frozenset({
        'add_user_to_channel', 'get_webpage', 'invite_user_to_slack', 'post_webpage', 'remove_user_from_slack',
        'send_channel_message', 'send_direct_message',
    }),
}


def side_effects_of(suite: str, function: str) -> SideEffects:
    """`none` or `external` for `function` of `suite`.

    Raises:
        KeyError: the function is in neither list (a suite version with a function this module has not classified).
    """
    if function in READ_ONLY.get(suite, ()):
        return 'none'
    if function in EXTERNAL.get(suite, ()):
        return 'external'
    raise KeyError(f'suite {suite!r}: function {function!r} is not classified in bench/_agentdojo_tools.py')


@dataclass
class Executed:
    """One function call that ran: the call, the text AgentDojo's formatter made of its result, and its error."""

    call_id: str
    call: FunctionCall
    text: str
    error: str | None


@dataclass
class Session:
    """The task being run: its environment and runtime, and the calls that ran on it (in order)."""

    runtime: FunctionsRuntime | None = None
    env: TaskEnvironment | None = None
    executed: list[Executed] = field(default_factory=list)

    def start(self, runtime: FunctionsRuntime, env: TaskEnvironment) -> None:
        self.runtime, self.env, self.executed = runtime, env, []


class AgentDojoTool(Tool):
    """One AgentDojo `Function` as a `Tool`: its schema from the function's pydantic `parameters`.

    A call runs `runtime.run_function(env, name, arguments)` on the session's environment (in the event loop's
    thread: the suites' environments are not thread-safe, and every function is instantaneous) and returns the
    result as `tool_result_to_str` formats it; AgentDojo's error text (`ValueError: ...`) is an error result.
    """

    source = 'python'

    def __init__(self, function: Function[..., Any], side_effects: SideEffects, session: Session) -> None:
        self.name = function.name
        self.description = function.description
        self.side_effects = side_effects
        self._function = function
        self._session = session
        schema = function.parameters.model_json_schema()
        schema.pop('title', None)
        self._parameters: dict[str, Any] = {'type': 'object', 'properties': {}, **schema}

    @property
    def parameters(self) -> dict[str, Any]:
        return self._parameters

    def validate_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check `arguments` against the function's pydantic model.

        Raises:
            ToolArgumentsError: naming each bad, missing or unexpected argument.
        """
        if not isinstance(arguments, dict):
            raise ToolArgumentsError(f'arguments must be a JSON object, got {type(arguments).__name__}')
        validate_with_model(self._function.parameters, arguments)
        return arguments

    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Run the function on the session's environment.

        Raises:
            ToolArgumentsError: the arguments fail the function's schema.
        """
        from agentdojo.agent_pipeline.tool_execution import tool_result_to_str
        from agentdojo.functions_runtime import FunctionCall

        self.validate_arguments(arguments)
        session = self._session
        if session.runtime is None or session.env is None:
            raise RuntimeError('AgentDojoTool called outside a benchmarked task')
        result, error = session.runtime.run_function(session.env, self.name, arguments)
        text = tool_result_to_str(result) if error is None else f'error: {error}'
        call = FunctionCall(function=self.name, args=dict(arguments), id=ctx.call_id)
        session.executed.append(Executed(ctx.call_id, call, text, error))
        return ToolResult(content=text, is_error=error is not None)


def suite_tools(suite_name: str, functions: list[Function[..., Any]], session: Session) -> list[Tool]:
    """Every function of a suite as an `AgentDojoTool` bound to `session`.

    Raises:
        KeyError: a function is not classified (see `side_effects_of`).
    """
    return [AgentDojoTool(f, side_effects_of(suite_name, f.name), session) for f in functions]
