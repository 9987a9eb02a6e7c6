"""Everything around the policy answers: small talk, humans, records, scope and fallback.

Each of these ends an open ``answer_form``: a resident who asks something else has left it.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import answer, turn_reply
from actions.context import (
    knowledge_base,
    latest_intent,
    out_of_scope,
    regions_in_play,
)
from actions.question import question_from
from actions.replies import intent_label, topic_buttons, without_repeats
from policy_kb.answering import declines, documents_answer, introduction, render
from policy_kb.answering.compose import compose
from policy_kb.reading.question import words

SMALLTALK = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_thank",
    "bot_challenge": "utter_bot_challenge",
}
NOT_SUGGESTED = {
    "nlu_fallback",
    "greet",
    "goodbye",
    "thank",
    "bot_challenge",
    "inform",
    "out_of_scope",
}


def leave_form(tracker: Tracker) -> list[dict]:
    if tracker.active_loop.get("name"):
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
    return []


def channels_text(tracker: Tracker, purposes: tuple[str, ...] = ()) -> str:
    kb = knowledge_base()
    regions = regions_in_play(tracker) or list(kb.regions)
    details = "\n".join(render.hotline_summary(kb, r, purposes) for r in regions)
    # the numbers lead (answer first), each channel's details follow
    phones = render.phones_lead(kb, regions, purposes)
    return phones + "\n\n" + details if phones else details


def policy_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> list | None:
    """A message the classifier could not place (or placed outside the domain) that still
    reads as a policy question about a covered place: answered, not deflected.

    "山亭72岁医保要交吗" in dialect, "俺娘62了 在山亭 医保个人交多少": a composed answer when
    the question has that shape, else the topic its words name, through the answer form.
    """
    replied = turn_reply(dispatcher, tracker)  # "5000", "她72", "对": what the assistant asked
    if replied is not None:
        return replied
    question = question_from(tracker)
    # look-alike, unsafe or about the documents: answered with no region named too
    declined = declines.asked(question) or documents_answer.asked(knowledge_base(), question)
    other = latest_intent(tracker) == "ask_other_insurance" or any(
        w in question.text for w in words()["other_insurance"]
    )
    if other and not declined:
        return None
    if not (question.regions or question.all_regions or declined):
        details = question.members or question.med_tiers or question.amounts
        if not (question.schemes and (details or question.wants("amount", "must_pay"))):
            return None
        # "我今年50 想交医保" without a place: the turn asks for it and remembers the rest
        return answer(dispatcher, tracker)
    if compose(knowledge_base(), question) is not None:
        return answer(dispatcher, tracker)
    # "山亭医保还交不" names no topic word but asks what one pays: the amounts
    topic = question.topic or (
        "tiers" if question.schemes and question.wants("must_pay", "amount") else None
    )
    if topic and (question.schemes or question.members or topic != "tiers"):
        return answer(dispatcher, tracker)
    return None


class ActionSmalltalk(Action):
    def name(self) -> str:
        return "action_smalltalk"

    @without_repeats
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict):
        replied = turn_reply(dispatcher, tracker)  # "对", "是的" after the assistant asked
        if replied is not None:
            return leave_form(tracker) + replied
        kb = knowledge_base()
        if documents_answer.asked(kb, question_from(tracker)):  # "通告是哪个部门发的"
            rescued = policy_question(dispatcher, tracker)
            if rescued is not None:
                return leave_form(tracker) + rescued
        dispatcher.utter_message(
            response=SMALLTALK.get(latest_intent(tracker), "utter_greet"),
            scope=introduction.scope(kb),
        )
        return leave_form(tracker)


class ActionHumanHandoff(Action):
    """Names the people who can help: the region's hotlines, or all regions' when unknown."""

    def name(self) -> str:
        return "action_human_handoff"

    @without_repeats
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict):
        dispatcher.utter_message(
            text=render.lead_first("我是自动助手，不能转接人工。可以通过下面的官方渠道找工作人员：\n" + channels_text(tracker))
        )
        return leave_form(tracker) + [SlotSet("fallback_count", 0)]


class ActionCheckRecord(Action):
    """The assistant cannot see payment records; it never repeats an ID or phone number."""

    def name(self) -> str:
        return "action_check_record"

    @without_repeats
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict):
        if question_from(tracker).topic in words()["not_a_record"]:
            rescued = policy_question(dispatcher, tracker)
            if rescued is not None:
                return leave_form(tracker) + rescued
        dispatcher.utter_message(
            text=render.lead_first(
                "我查不到任何人的个人缴费记录，也不会保存您发来的身份证号、手机号或银行卡号，请不要在聊天中发送这些信息。"
                "缴费是否成功、缴了多少，可以在缴费用的渠道（如小程序、App、银行）查看，或咨询：\n" + channels_text(tracker, ("payment",))
            )
        )
        return leave_form(tracker)


class ActionOutOfScope(Action):
    """Says what the assistant covers and where to ask instead; never a figure."""

    def name(self) -> str:
        return "action_out_of_scope"

    @without_repeats
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict):
        kb = knowledge_base()
        scope = out_of_scope(tracker)
        rescued = policy_question(dispatcher, tracker) if not scope.problem else None
        if rescued is not None:
            return leave_form(tracker) + rescued
        if scope.problem:
            text = scope.problem
        elif latest_intent(tracker) == "ask_other_insurance":
            text = (
                f"职工社保、灵活就业参保和商业保险不在我的范围内：我只回答{introduction.scope(kb)}的缴费问题。"
                "职工养老请咨询当地人社部门，职工医保请咨询当地医保部门，"
                "商业保险请咨询承保的保险公司。"
            )
        else:
            text = f"这个问题我回答不了。我只回答{introduction.scope(kb)}的缴费问题，" "比如缴费标准、缴费时间、怎么交、咨询电话。"
        dispatcher.utter_message(text=text, buttons=topic_buttons())
        return leave_form(tracker)


class ActionSuggestTopics(Action):
    """Low confidence: offer the likely topics; a second miss in a row: the human channels."""

    def name(self) -> str:
        return "action_suggest_topics"

    @without_repeats
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict):
        rescued = policy_question(dispatcher, tracker)
        if rescued is not None:
            return leave_form(tracker) + rescued
        count = int(tracker.get_slot("fallback_count") or 0) + 1
        if count >= 2:
            # marked in the message metadata (channels ignore it): the policy team's review
            # counts this reply as a handoff; a rescued question resets fallback_count too
            dispatcher.utter_message(
                text=render.lead_first("抱歉，我还是没能理解。建议直接咨询工作人员：\n" + channels_text(tracker)),
                handoff=True,
            )
            return leave_form(tracker) + [SlotSet("fallback_count", 0)]
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        likely = [
            r["name"]
            for r in ranking
            if intent_label(r.get("name") or "") and r.get("name") not in NOT_SUGGESTED
        ][:3]
        dispatcher.utter_message(
            text="抱歉，我不太确定您的意思。您是想问下面哪一项？也可以换个说法，例如"
            + introduction.quoted(introduction.examples(knowledge_base(), ("tiers",)))
            + "。",
            buttons=topic_buttons(likely or None),
        )
        return leave_form(tracker) + [SlotSet("fallback_count", count)]
