trigger TeamsCallEventTrigger on TeamsCallEvent__e(after insert) {
    TeamsCallEventHandler.handleTrigger(Trigger.new);
}
