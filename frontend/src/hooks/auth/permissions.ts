import { useCallback } from "react";
import type { User } from "../../types/auth";
import { useSignedInUser } from "./signedInUser";

/** The permissions the dashboard asks about, as the API names them (see docs/api.md, "Who may do what"). */
export const PERMISSIONS = {
  viewRules: "alerts.view_alertrule",
  addRules: "alerts.add_alertrule",
  /** Also what test sends and manual triggers need. */
  changeRules: "alerts.change_alertrule",
  deleteRules: "alerts.delete_alertrule",
  viewAlerts: "alerts.view_alerthistory",
  resolveAlerts: "alerts.change_alerthistory",
  viewMetrics: "monitoring.view_metricsample",
  viewErrors: "monitoring.view_errorlog",
  viewPushTokens: "monitoring.view_pushtoken",
  addPushTokens: "monitoring.add_pushtoken",
  revokePushTokens: "monitoring.delete_pushtoken",
  viewChannels: "alerts.view_notificationchannel",
  addChannels: "alerts.add_notificationchannel",
  /** Also what a channel's test send needs. */
  changeChannels: "alerts.change_notificationchannel",
  deleteChannels: "alerts.delete_notificationchannel",
  viewPolicies: "alerts.view_notificationpolicy",
  addPolicies: "alerts.add_notificationpolicy",
  changePolicies: "alerts.change_notificationpolicy",
  deletePolicies: "alerts.delete_notificationpolicy",
  viewSilences: "alerts.view_silence",
  addSilences: "alerts.add_silence",
  /** Also what expiring and extending need. */
  changeSilences: "alerts.change_silence",
  deleteSilences: "alerts.delete_silence",
  viewMaintenanceWindows: "alerts.view_maintenancewindow",
  addMaintenanceWindows: "alerts.add_maintenancewindow",
  changeMaintenanceWindows: "alerts.change_maintenancewindow",
  deleteMaintenanceWindows: "alerts.delete_maintenancewindow",
  viewChecks: "monitoring.view_check",
  addChecks: "monitoring.add_check",
  /** Also what running a check now needs. */
  changeChecks: "monitoring.change_check",
  deleteChecks: "monitoring.delete_check",
  viewAudit: "auditlog.view_logentry",
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

export function userCan(user: User, permission: Permission): boolean {
  return user.is_superuser || user.permissions.includes(permission);
}

/**
 * Whether the signed-in user may do something, so that the page can leave out what would only
 * answer 403. The API still decides.
 */
export function useCan(): (permission: Permission) => boolean {
  const user = useSignedInUser();
  return useCallback((permission: Permission) => userCan(user, permission), [user]);
}
