import type { INodeProperties } from 'n8n-workflow';

import {
	imageListField,
	perSecondAspectRatioField,
	perSecondDurationField,
	perSecondModeField,
	submitOptionsField,
	waitField,
} from '../../shared/descriptions';
import { multiShotFields } from './multiShot';

const showOnlyForOmniVideo = { resource: ['video'], operation: ['omniVideo'] };

export const videoOmniVideoDescription: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		// A newer model ID given by expression is sent as it is, without an editor warning.
		allowArbitraryValues: true,
		options: [
			{
				name: 'Kling 3.0 Omni',
				value: 'kling-v3-omni',
				description: 'Kling-v3-omni: 3 to 15 seconds, 4K, sound and multi-shot',
			},
			{
				name: 'Kling O1',
				value: 'kling-video-o1',
				description:
					'Kling-video-o1: 3 to 10 seconds (5 or 10 without reference images); no 4K or multi-shot',
			},
		],
		default: 'kling-v3-omni',
		description:
			'Which omni model generates the video. Another model ID can be given with an expression and is passed through.',
		displayOptions: { show: showOnlyForOmniVideo },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. <<<image_1>>> walks through Tokyo at night and meets <<<element_1>>>',
		description:
			'What the video shows, up to 2,500 characters. Refer to inputs as &lt;&lt;&lt;image_1&gt;&gt;&gt;, &lt;&lt;&lt;element_1&gt;&gt;&gt;, &lt;&lt;&lt;video_1&gt;&gt;&gt; (numbered from 1 in list order). Not used with custom multi-shot.',
		displayOptions: { show: showOnlyForOmniVideo },
	},
	imageListField(showOnlyForOmniVideo, {
		name: 'referenceImages',
		displayName: 'Reference Images',
		max: 7,
		description:
			'Up to 7 images (4 with a reference video), counted together with elements. JPG or PNG, at most 10 MB, sides at least 300 px. Mark one as first frame (and optionally one as end frame) to animate from it.',
		urlPlaceholder: 'e.g. https://example.com/person.png',
		sourceDescription:
			'Whether the image is a URL/base64 text or a binary property of the input item (e.g. from HTTP Request or Read/Write Files)',
		extraValues: [
			{
				displayName: 'Use As',
				name: 'role',
				type: 'options',
				options: [
					{
						name: 'Reference',
						value: 'reference',
						description: 'A subject, scene or style the video refers to',
					},
					{ name: 'First Frame', value: 'first_frame', description: 'The video starts here' },
					{
						name: 'End Frame',
						value: 'end_frame',
						description: 'The video ends here (needs a first frame)',
					},
				],
				default: 'reference',
				description: 'How Kling uses this image',
			},
		],
	}),
	{
		displayName: 'Element IDs',
		name: 'elementIds',
		type: 'string',
		default: '',
		placeholder: 'e.g. 829836802793406551',
		description:
			'IDs from your Kling element library, separated by commas; refer to them as &lt;&lt;&lt;element_1&gt;&gt;&gt;… They are sent as text so that all 18 digits survive (Kling’s examples show numbers; text is unverified)',
		displayOptions: { show: showOnlyForOmniVideo },
	},
	{
		displayName: 'Reference Video',
		name: 'referenceVideo',
		type: 'fixedCollection',
		default: {},
		placeholder: 'Add Video',
		description:
			'One video (.mp4/.mov, up to 200 MB, 3 to 10 s; 3.0 Omni up to 15 s) to edit or to take style and camera from. Refer to it as &lt;&lt;&lt;video_1&gt;&gt;&gt;.',
		displayOptions: { show: showOnlyForOmniVideo },
		options: [
			{
				displayName: 'Video',
				name: 'video',
				values: [
					{
						displayName: 'Video URL',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://example.com/clip.mp4',
						description: 'Public URL of the video',
					},
					{
						displayName: 'Refer Type',
						name: 'referType',
						type: 'options',
						options: [
							{
								name: 'Feature (Reference)',
								value: 'feature',
								description: 'Take style, camera or the next/previous shot from it',
							},
							{
								name: 'Base (Edit This Video)',
								value: 'base',
								description:
									'Edit this video; the output has its length (no duration, aspect ratio, frames, sound or multi-shot)',
							},
						],
						default: 'feature',
						description: 'What Kling does with the video',
					},
					{
						displayName: 'Keep Original Sound',
						name: 'keepOriginalSound',
						type: 'boolean',
						default: true,
						description: 'Whether to keep the sound of the video',
					},
				],
			},
		],
	},
	perSecondModeField(showOnlyForOmniVideo, 'Quality level (billed per second)', {
		description:
			'Kling 3.0 Omni only; about 3 units per second. With a reference video Kling’s notes changed (passed through).',
	}),
	perSecondAspectRatioField(
		showOnlyForOmniVideo,
		'Shape of the video. Used only without a first frame and without a video to edit; otherwise the video follows them and this is not sent.',
	),
	perSecondDurationField(
		showOnlyForOmniVideo,
		'Length in seconds: 3.0 Omni 3 to 15, O1 3 to 10 (5 or 10 without reference images). Not sent when editing a video (the output keeps its length). Kling notes a 10 s cap with a reference video (single source; passed through).',
	),
	{
		displayName: 'Sound',
		name: 'sound',
		type: 'boolean',
		default: false,
		description:
			'Whether to generate sound (Kling 3.0 Omni; costs more). Must be off with a reference video: use Keep Original Sound instead.',
		displayOptions: { show: showOnlyForOmniVideo },
	},
	...multiShotFields(showOnlyForOmniVideo, false),
	waitField(showOnlyForOmniVideo),
	submitOptionsField(showOnlyForOmniVideo, { camera: false, sound: false }),
];
