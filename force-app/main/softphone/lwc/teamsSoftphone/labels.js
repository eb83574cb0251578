/** Every string the softphone shows (custom labels; English master, German translation). */
import Title from '@salesforce/label/c.TeamsSoftphone_Title';
import Loading from '@salesforce/label/c.TeamsSoftphone_Loading';
import NotConfigured from '@salesforce/label/c.TeamsSoftphone_NotConfigured';
import LoadFailed from '@salesforce/label/c.TeamsSoftphone_LoadFailed';
import ConnectionLost from '@salesforce/label/c.TeamsSoftphone_ConnectionLost';
import StreamUnavailable from '@salesforce/label/c.TeamsSoftphone_StreamUnavailable';
import Idle from '@salesforce/label/c.TeamsSoftphone_Idle';
import Presence from '@salesforce/label/c.TeamsSoftphone_Presence';
import PresenceUnknown from '@salesforce/label/c.TeamsSoftphone_PresenceUnknown';
import Presence_Available from '@salesforce/label/c.TeamsSoftphone_Presence_Available';
import Presence_Busy from '@salesforce/label/c.TeamsSoftphone_Presence_Busy';
import Presence_InACall from '@salesforce/label/c.TeamsSoftphone_Presence_InACall';
import Presence_DoNotDisturb from '@salesforce/label/c.TeamsSoftphone_Presence_DoNotDisturb';
import Presence_Presenting from '@salesforce/label/c.TeamsSoftphone_Presence_Presenting';
import Presence_Away from '@salesforce/label/c.TeamsSoftphone_Presence_Away';
import Presence_BeRightBack from '@salesforce/label/c.TeamsSoftphone_Presence_BeRightBack';
import Presence_OutOfOffice from '@salesforce/label/c.TeamsSoftphone_Presence_OutOfOffice';
import Presence_Offline from '@salesforce/label/c.TeamsSoftphone_Presence_Offline';
import IncomingCall from '@salesforce/label/c.TeamsSoftphone_IncomingCall';
import CallWaiting from '@salesforce/label/c.TeamsSoftphone_CallWaiting';
import UnknownCaller from '@salesforce/label/c.TeamsSoftphone_UnknownCaller';
import AnswerInTeams from '@salesforce/label/c.TeamsSoftphone_AnswerInTeams';
import Reject from '@salesforce/label/c.TeamsSoftphone_Reject';
import RejectCallOf from '@salesforce/label/c.TeamsSoftphone_RejectCallOf';
import ActiveCall from '@salesforce/label/c.TeamsSoftphone_ActiveCall';
import OnHold from '@salesforce/label/c.TeamsSoftphone_OnHold';
import OnHoldBanner from '@salesforce/label/c.TeamsSoftphone_OnHoldBanner';
import Hold from '@salesforce/label/c.TeamsSoftphone_Hold';
import Resume from '@salesforce/label/c.TeamsSoftphone_Resume';
import HangUp from '@salesforce/label/c.TeamsSoftphone_HangUp';
import Duration from '@salesforce/label/c.TeamsSoftphone_Duration';
import LinkedRecord from '@salesforce/label/c.TeamsSoftphone_LinkedRecord';
import CommandPending from '@salesforce/label/c.TeamsSoftphone_CommandPending';
import CommandFailed from '@salesforce/label/c.TeamsSoftphone_CommandFailed';
import Matches from '@salesforce/label/c.TeamsSoftphone_Matches';
import MatchesLoading from '@salesforce/label/c.TeamsSoftphone_MatchesLoading';
import PickMatch from '@salesforce/label/c.TeamsSoftphone_PickMatch';
import NoMatch from '@salesforce/label/c.TeamsSoftphone_NoMatch';
import NewContact from '@salesforce/label/c.TeamsSoftphone_NewContact';
import NewLead from '@salesforce/label/c.TeamsSoftphone_NewLead';
import OpenRecord from '@salesforce/label/c.TeamsSoftphone_OpenRecord';
import Notices from '@salesforce/label/c.TeamsSoftphone_Notices';
import MissedBadge from '@salesforce/label/c.TeamsSoftphone_MissedBadge';
import CallerHungUp from '@salesforce/label/c.TeamsSoftphone_CallerHungUp';
import MissedPresence from '@salesforce/label/c.TeamsSoftphone_MissedPresence';
import NotAnswered from '@salesforce/label/c.TeamsSoftphone_NotAnswered';
import TeamsSettings from '@salesforce/label/c.TeamsSoftphone_TeamsSettings';
import Dismiss from '@salesforce/label/c.TeamsSoftphone_Dismiss';
import DismissNotice from '@salesforce/label/c.TeamsSoftphone_DismissNotice';
import WrapUp from '@salesforce/label/c.TeamsSoftphone_WrapUp';
import Notes from '@salesforce/label/c.TeamsSoftphone_Notes';
import Disposition from '@salesforce/label/c.TeamsSoftphone_Disposition';
import DispositionNone from '@salesforce/label/c.TeamsSoftphone_DispositionNone';
import Disposition_Resolved from '@salesforce/label/c.TeamsSoftphone_Disposition_Resolved';
import Disposition_FollowUpNeeded from '@salesforce/label/c.TeamsSoftphone_Disposition_FollowUpNeeded';
import Disposition_LeftVoicemail from '@salesforce/label/c.TeamsSoftphone_Disposition_LeftVoicemail';
import Disposition_WrongNumber from '@salesforce/label/c.TeamsSoftphone_Disposition_WrongNumber';
import Disposition_NotInterested from '@salesforce/label/c.TeamsSoftphone_Disposition_NotInterested';
import RelatedRecord from '@salesforce/label/c.TeamsSoftphone_RelatedRecord';
import NoRecord from '@salesforce/label/c.TeamsSoftphone_NoRecord';
import LinkRecordOnScreen from '@salesforce/label/c.TeamsSoftphone_LinkRecordOnScreen';
import NoRecordOnScreen from '@salesforce/label/c.TeamsSoftphone_NoRecordOnScreen';
import DoNotLog from '@salesforce/label/c.TeamsSoftphone_DoNotLog';
import Save from '@salesforce/label/c.TeamsSoftphone_Save';
import Skip from '@salesforce/label/c.TeamsSoftphone_Skip';
import SaveFailed from '@salesforce/label/c.TeamsSoftphone_SaveFailed';
import LinkFailed from '@salesforce/label/c.TeamsSoftphone_LinkFailed';
import CallBack from '@salesforce/label/c.TeamsSoftphone_CallBack';
import CallBackHint from '@salesforce/label/c.TeamsSoftphone_CallBackHint';
import CommandTimedOut from '@salesforce/label/c.TeamsSoftphone_CommandTimedOut';
import Presence_InAMeeting from '@salesforce/label/c.TeamsSoftphone_Presence_InAMeeting';
import Presence_Focusing from '@salesforce/label/c.TeamsSoftphone_Presence_Focusing';
import Target_TeamsUser from '@salesforce/label/c.TeamsSoftphone_Target_TeamsUser';
import Target_SoftphoneUser from '@salesforce/label/c.TeamsSoftphone_Target_SoftphoneUser';
import Target_SharedVoicemail from '@salesforce/label/c.TeamsSoftphone_Target_SharedVoicemail';
import Target_CallQueue from '@salesforce/label/c.TeamsSoftphone_Target_CallQueue';

/** @type {Object<string, string>} */
import DialPad from '@salesforce/label/c.TeamsSoftphone_DialPad';
import DialNumber from '@salesforce/label/c.TeamsSoftphone_DialNumber';
import Call from '@salesforce/label/c.TeamsSoftphone_Call';
import OutgoingCall from '@salesforce/label/c.TeamsSoftphone_OutgoingCall';
import CancelDial from '@salesforce/label/c.TeamsSoftphone_CancelDial';
import DialFailed_Declined from '@salesforce/label/c.TeamsSoftphone_DialFailed_Declined';
import DialFailed_NoAnswer from '@salesforce/label/c.TeamsSoftphone_DialFailed_NoAnswer';
import DialFailed_Busy from '@salesforce/label/c.TeamsSoftphone_DialFailed_Busy';
import DialFailed_Failed from '@salesforce/label/c.TeamsSoftphone_DialFailed_Failed';
import CallBackNow from '@salesforce/label/c.TeamsSoftphone_CallBackNow';
import CancelCall from '@salesforce/label/c.TeamsSoftphone_CancelCall';
import AfterCallWork from '@salesforce/label/c.TeamsSoftphone_AfterCallWork';
import AfterCallWorkHeading from '@salesforce/label/c.TeamsSoftphone_AfterCallWorkHeading';
import AfterCallWorkExtend from '@salesforce/label/c.TeamsSoftphone_AfterCallWorkExtend';
import AfterCallWorkReady from '@salesforce/label/c.TeamsSoftphone_AfterCallWorkReady';
import AfterCallWorkFailed from '@salesforce/label/c.TeamsSoftphone_AfterCallWorkFailed';
const LABELS = {
  Title,
  Loading,
  NotConfigured,
  LoadFailed,
  ConnectionLost,
  StreamUnavailable,
  Idle,
  Presence,
  PresenceUnknown,
  Presence_Available,
  Presence_Busy,
  Presence_InACall,
  Presence_DoNotDisturb,
  Presence_Presenting,
  Presence_Away,
  Presence_BeRightBack,
  Presence_OutOfOffice,
  Presence_Offline,
  IncomingCall,
  CallWaiting,
  UnknownCaller,
  AnswerInTeams,
  Reject,
  RejectCallOf,
  ActiveCall,
  OnHold,
  OnHoldBanner,
  Hold,
  Resume,
  HangUp,
  Duration,
  LinkedRecord,
  CommandPending,
  CommandFailed,
  Matches,
  MatchesLoading,
  PickMatch,
  NoMatch,
  NewContact,
  NewLead,
  OpenRecord,
  Notices,
  MissedBadge,
  CallerHungUp,
  MissedPresence,
  NotAnswered,
  TeamsSettings,
  Dismiss,
  DismissNotice,
  WrapUp,
  Notes,
  Disposition,
  DispositionNone,
  Disposition_Resolved,
  Disposition_FollowUpNeeded,
  Disposition_LeftVoicemail,
  Disposition_WrongNumber,
  Disposition_NotInterested,
  RelatedRecord,
  NoRecord,
  LinkRecordOnScreen,
  NoRecordOnScreen,
  DoNotLog,
  Save,
  Skip,
  SaveFailed,
  LinkFailed,
  CallBack,
  CallBackHint,
  CommandTimedOut,
  Presence_InAMeeting,
  Presence_Focusing,
  Target_TeamsUser,
  Target_SoftphoneUser,
  Target_SharedVoicemail,
  Target_CallQueue,
  DialPad,
  DialNumber,
  Call,
  OutgoingCall,
  CancelDial,
  DialFailed_Declined,
  DialFailed_NoAnswer,
  DialFailed_Busy,
  DialFailed_Failed,
  CallBackNow,
  CancelCall,
  AfterCallWork,
  AfterCallWorkHeading,
  AfterCallWorkExtend,
  AfterCallWorkReady,
  AfterCallWorkFailed
};

export default LABELS;
