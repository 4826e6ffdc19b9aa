import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_MAX_WAIT_MIN, DEFAULT_POLL_INTERVAL_S } from '../../shared/constants';
import { optionsCollection, waitField } from '../../shared/descriptions';
import { outputTask, runTask, submitPreparedTask } from '../../shared/hooks';
import { prepareVoiceCreate } from '../../shared/talk';
import {
	outputVoiceDelete,
	outputVoiceList,
	outputVoiceTask,
	prepareVoiceId,
	presentVoiceSample,
} from '../../shared/voices';

const showOnlyForVoice = { resource: ['voice'] };
const show = (operation: string, extra: Record<string, string[]> = {}) => ({
	show: { ...showOnlyForVoice, operation: [operation], ...extra },
});

const downloadSample: INodeProperties = {
	displayName: 'Download Sample',
	name: 'downloadSample',
	type: 'boolean',
	default: true,
	description:
		"Whether to put the voice's sample recording into the item's binary data (file name kling-voice-&lt;voice_id&gt;.&lt;ext&gt;)",
};

const binaryPropertyName: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	description: 'Name of the binary property the sample is written to',
};

export const voiceDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForVoice },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a custom voice',
				description:
					'Clone a voice from a 5 to 30 second recording or a Kling video (0.05 units per voice)',
				routing: {
					request: {
						method: 'POST',
						url: '/v1/general/custom-voices',
						ignoreHttpStatusErrors: true,
					},
					send: {
						preSend: [prepareVoiceCreate, submitPreparedTask, presentVoiceSample],
						paginate: true,
					},
					operations: { pagination: runTask },
					output: { postReceive: [outputTask] },
				},
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a custom voice',
				description: 'Delete one of your custom voices',
				routing: {
					request: {
						method: 'POST',
						url: '/v1/general/delete-voices',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [prepareVoiceId] },
					output: { postReceive: [outputVoiceDelete] },
				},
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a voice',
				description: 'Get a custom voice by its creation task ID, or any voice by its voice ID',
				routing: {
					request: {
						method: 'GET',
						url: '=/v1/general/custom-voices/{{ encodeURIComponent(String($parameter.voiceId).trim()) }}',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [prepareVoiceId] },
					output: { postReceive: [outputVoiceTask] },
				},
			},
			{
				name: 'List',
				value: 'list',
				action: 'List voices',
				description: "List your custom voices and Kling's preset voices",
				routing: {
					request: {
						method: 'GET',
						url: '/v1/general/custom-voices',
						qs: { pageNum: 1, pageSize: 1000 },
						ignoreHttpStatusErrors: true,
					},
					output: { postReceive: [outputVoiceList] },
				},
			},
		],
		default: 'list',
	},
	// Create
	{
		displayName: 'Voice Name',
		name: 'voiceName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Course narrator',
		description: 'Name of the new voice, up to 20 characters',
		displayOptions: show('create'),
	},
	{
		displayName: 'Source',
		name: 'voiceSource',
		type: 'options',
		options: [
			{
				name: 'Recording URL',
				value: 'url',
				description: 'A public .mp3, .wav, .mp4 or .mov file',
			},
			{
				name: 'Binary File',
				value: 'binary',
				description:
					'A recording in a binary property of the input item. Kling documents only URLs: the file is sent as base64 (not confirmed by Kling).',
			},
			{
				name: 'Kling Video ID',
				value: 'videoId',
				description: 'A kling-v2-6 video made with sound, an Avatar or a Lip Sync video',
			},
		],
		default: 'url',
		description:
			'Where the voice comes from: 5 to 30 seconds of one clean voice without noise (checked before sending)',
		displayOptions: show('create'),
	},
	{
		displayName: 'Recording URL',
		name: 'voiceUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/narrator.mp3',
		description:
			'Public address of the recording. The node reads it once to check format and length; Kling fetches it itself.',
		displayOptions: show('create', { voiceSource: ['url'] }),
	},
	{
		displayName: 'Input Binary Field',
		name: 'voiceBinaryProperty',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Name of the binary property of the input item that holds the recording',
		displayOptions: show('create', { voiceSource: ['binary'] }),
	},
	{
		displayName: 'Video ID',
		name: 'voiceVideoId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 0a1b2c3d-video',
		description: 'The ID of the video in a Kling task result, not the task ID',
		displayOptions: show('create', { voiceSource: ['videoId'] }),
	},
	waitField(show('create').show),
	optionsCollection(show('create').show, [
		{
			displayName: 'Callback URL',
			name: 'callbackUrl',
			type: 'string',
			default: '',
			description: 'Https address Kling calls whenever the task status changes',
		},
		downloadSample,
		{
			displayName: 'External Task ID',
			name: 'externalTaskId',
			type: 'string',
			default: '',
			description:
				'Your own ID for the task, unique in your Kling account. Empty: derived from workflow, node, item and inputs, so retries never pay twice.',
		},
		{
			displayName: 'Max Wait Time (Minutes)',
			name: 'maxWaitTime',
			type: 'number',
			typeOptions: { minValue: 0.05, numberPrecision: 2 },
			default: DEFAULT_MAX_WAIT_MIN,
			description: 'How long to wait for the voice before failing',
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 300 },
			default: DEFAULT_POLL_INTERVAL_S,
			description: 'Seconds between status checks while waiting',
		},
		binaryPropertyName,
	]),
	// Get and Delete
	{
		displayName: 'Voice ID',
		name: 'voiceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 850087542757535834',
		description:
			'The voice_id, or (Get only) the task ID or External Task ID of the voice creation',
		displayOptions: { show: { ...showOnlyForVoice, operation: ['get', 'delete'] } },
	},
	optionsCollection(show('get').show, [downloadSample, binaryPropertyName]),
	// List
	{
		displayName: 'Include Preset Voices',
		name: 'includePresets',
		type: 'boolean',
		default: true,
		description: "Whether to list Kling's preset voices after your custom voices",
		displayOptions: show('list'),
	},
];
