import type { INodeProperties } from 'n8n-workflow';

type Show = Record<string, Array<string | boolean>>;

/**
 * Multi-shot fields (kling-v3 text/image to video, kling-v3-omni): intelligent (Kling splits the
 * prompt into shots) or custom shots written one by one. The body is built from them by the
 * operation's hooks (shared/omni.ts) or, on text/image to video, by their routing.
 */
export function multiShotFields(show: Show, withRouting: boolean): INodeProperties[] {
	const onlyMulti = { ...show, multiShot: [true] };
	const customShots = { ...onlyMulti, shotType: ['customize'] };
	return [
		{
			displayName: 'Multi-Shot',
			name: 'multiShot',
			type: 'boolean',
			default: false,
			description:
				'Whether to make a video of several shots (Kling 3.0 models). With custom shots the main prompt is not used.',
			displayOptions: { show },
			...(withRouting
				? {
						routing: {
							send: {
								type: 'body',
								property: 'multi_shot',
								value: '={{ $value === true ? true : undefined }}',
							},
						},
					}
				: {}),
		},
		{
			displayName: 'Shot Type',
			name: 'shotType',
			type: 'options',
			options: [
				{
					name: 'Intelligent',
					value: 'intelligence',
					description: 'Kling splits the prompt into shots itself',
				},
				{
					name: 'Custom',
					value: 'customize',
					description: 'Write each shot: 1 to 6 shots whose durations add up to the video duration',
				},
			],
			default: 'intelligence',
			description: 'How the shots are decided',
			displayOptions: { show: onlyMulti },
			...(withRouting ? { routing: { send: { type: 'body', property: 'shot_type' } } } : {}),
		},
		{
			displayName: 'Shots',
			name: 'shots',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, maxAllowedFields: 6 },
			default: {},
			placeholder: 'Add Shot',
			description:
				'One to six shots in order. Each prompt up to 512 characters; the durations must add up to the video duration.',
			displayOptions: { show: customShots },
			options: [
				{
					displayName: 'Shot',
					name: 'shot',
					values: [
						{
							displayName: 'Prompt',
							name: 'prompt',
							type: 'string',
							default: '',
							description: 'What happens in this shot (up to 512 characters)',
						},
						{
							displayName: 'Duration (Seconds)',
							name: 'duration',
							type: 'number',
							typeOptions: { minValue: 1, maxValue: 15 },
							default: 2,
							description: 'Length of this shot in whole seconds',
						},
					],
				},
			],
			...(withRouting
				? {
						routing: {
							send: {
								type: 'body',
								property: 'multi_prompt',
								value:
									'={{ ($value.shot || []).map((shot, index) => ({ index: index + 1, prompt: shot.prompt, duration: String(shot.duration) })) }}',
							},
						},
					}
				: {}),
		},
	];
}
