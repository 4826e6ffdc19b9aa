import type { INodeProperties } from 'n8n-workflow';

import { submitOptionsField, waitField } from '../../shared/descriptions';
import { DEFAULT_SPEECH_VOICE } from '../../shared/voices';

type Show = { resource: string[]; operation: string[] };

const showOnlyForLipSync = { resource: ['video'], operation: ['lipSync'] };

/** Speech of Lip Sync and Avatar: text spoken by a Kling voice, or an audio file. */
export function speechFields(show: Show, audioLimits: string): INodeProperties[] {
	const when = (speechSource: string) => ({ show: { ...show, speechSource: [speechSource] } });
	return [
		{
			displayName: 'Speech',
			name: 'speechSource',
			type: 'options',
			options: [
				{
					name: 'Text',
					value: 'text',
					description:
						"Text spoken by a Kling voice (Kling's text to speech, billed 0.05 units per call)",
				},
				{ name: 'Audio URL', value: 'audioUrl', description: 'A public address of an audio file' },
				{
					name: 'Audio Binary File',
					value: 'audioBinary',
					description: 'An audio file in a binary property of the input item',
				},
			],
			default: 'text',
			description: `What the person says. Audio: .mp3, .wav, .m4a or .aac, at most 5 MB, ${audioLimits}; checked before anything is sent.`,
			displayOptions: { show },
		},
		{
			displayName: 'Text',
			name: 'speechText',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			required: true,
			placeholder: 'e.g. Welcome to our course! Today we look at spreadsheets.',
			description: 'What the person says, up to 1,000 characters',
			displayOptions: when('text'),
		},
		{
			displayName: 'Voice Name or ID',
			name: 'speechVoice',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getVoices' },
			default: DEFAULT_SPEECH_VOICE,
			description:
				"Voice that speaks the text: your custom voices, then Kling's voices (list from Kling's ComfyUI node, not confirmed by Kling's own docs). Choose from the list, or specify an ID using an <a href=\"https://docs.n8n.io/code/expressions/\">expression</a>.",
			displayOptions: when('text'),
		},
		{
			displayName: 'Voice Language',
			name: 'voiceLanguage',
			type: 'options',
			options: [
				{ name: 'English', value: 'en' },
				{ name: 'Chinese', value: 'zh' },
			],
			default: 'en',
			description: 'Language the voice speaks in; Chinese-only voices need Chinese',
			displayOptions: when('text'),
		},
		{
			displayName: 'Voice Speed',
			name: 'voiceSpeed',
			type: 'number',
			typeOptions: { minValue: 0.8, maxValue: 2, numberPrecision: 1 },
			default: 1,
			description: 'Speaking speed from 0.8 (slower) to 2 (twice as fast)',
			displayOptions: when('text'),
		},
		{
			displayName: 'Audio URL',
			name: 'audioUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://example.com/voice-over.mp3',
			description:
				'Public address of the audio. The node downloads it once to check format and length; Kling fetches it itself.',
			displayOptions: when('audioUrl'),
		},
		{
			displayName: 'Input Binary Field',
			name: 'audioBinaryProperty',
			type: 'string',
			default: 'data',
			required: true,
			description: 'Name of the binary property of the input item that holds the audio',
			displayOptions: when('audioBinary'),
		},
	];
}

const byVideoSource = (videoSource: string) => ({
	show: { ...showOnlyForLipSync, videoSource: [videoSource] },
});

const timeMs = (name: string, displayName: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description,
});

export const videoLipSyncDescription: INodeProperties[] = [
	{
		displayName: 'Video Source',
		name: 'videoSource',
		type: 'options',
		options: [
			{
				name: 'Kling Video ID',
				value: 'videoId',
				description:
					'A video Kling generated in the last 30 days (e.g. from a previous Kling node)',
			},
			{ name: 'Video URL', value: 'url', description: 'A public address of an .mp4 or .mov video' },
			{
				name: 'Binary File',
				value: 'binary',
				description:
					'A video in a binary property of the input item. Kling documents only URLs: the file is sent as base64 (not confirmed by Kling).',
			},
		],
		default: 'videoId',
		description:
			'The video whose speaker gets new lip movements: 2 to 60 seconds, 720p or 1080p, .mp4 or .mov, at most 100 MB',
		displayOptions: { show: showOnlyForLipSync },
	},
	{
		displayName: 'Video ID',
		name: 'videoId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 0a1b2c3d-video',
		description:
			'The ID of the video in a Kling task result (in a previous Kling node: task_result → videos → first entry → ID), not the task ID',
		displayOptions: byVideoSource('videoId'),
	},
	{
		displayName: 'Video URL',
		name: 'videoUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/presenter.mp4',
		description: 'Public address of the video (.mp4 or .mov); Kling downloads it itself',
		displayOptions: byVideoSource('url'),
	},
	{
		displayName: 'Input Binary Field',
		name: 'videoBinaryProperty',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Name of the binary property of the input item that holds the video',
		displayOptions: byVideoSource('binary'),
	},
	...speechFields(showOnlyForLipSync, '2 to 60 seconds'),
	{
		displayName: 'Face',
		name: 'faceNumber',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description:
			'Which face speaks: 1 is the first face Kling finds, 2 the second… Finding the faces is a separate paid call to Kling (0.05 units), made once per item before the lip-sync task and never repeated for the same item on a retry or re-run',
		displayOptions: { show: showOnlyForLipSync },
	},
	waitField(showOnlyForLipSync),
	{
		displayName: 'Audio Settings',
		name: 'audioSettings',
		type: 'collection',
		placeholder: 'Add Setting',
		default: {},
		displayOptions: { show: showOnlyForLipSync },
		options: [
			{
				displayName: 'Original Audio Volume',
				name: 'originalAudioVolume',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 1 },
				default: 1,
				description: "Volume of the video's own sound, 0 to 2 (1 = unchanged)",
			},
			timeMs(
				'soundEndTime',
				'Sound End Time (Ms)',
				'Where to stop using the speech, in milliseconds from its start. 0 = its end.',
			),
			timeMs(
				'soundInsertTime',
				'Sound Insert Time (Ms)',
				'Where the speech starts in the video, in milliseconds. Not set: when the chosen face appears. The speech must overlap the face for at least 2 seconds.',
			),
			timeMs(
				'soundStartTime',
				'Sound Start Time (Ms)',
				'Where to start using the speech, in milliseconds; the rest must be at least 2 seconds',
			),
			{
				displayName: 'Sound Volume',
				name: 'soundVolume',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 1 },
				default: 1,
				description: 'Volume of the speech, 0 to 2 (1 = unchanged)',
			},
		],
	},
	submitOptionsField(showOnlyForLipSync, { camera: false, sound: false }),
];
