import type { INodeProperties } from 'n8n-workflow';

/** Start/End Time options of the account operations. */
export function windowOptions(defaultDays: number, what: string): INodeProperties[] {
	return [
		{
			displayName: 'Start Time',
			name: 'startTime',
			type: 'dateTime',
			default: '',
			description: `Start of the time window of ${what}. Empty: ${defaultDays} days before the end time.`,
		},
		{
			displayName: 'End Time',
			name: 'endTime',
			type: 'dateTime',
			default: '',
			description: `End of the time window of ${what}. Empty: now.`,
		},
	];
}
